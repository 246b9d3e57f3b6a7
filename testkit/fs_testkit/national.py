"""The locator's database with the vendored national files (communes, arrondissements, France Services
sites), imported once per test run into a template database; each suite that needs it gets a clone of its
own (``CREATE DATABASE … TEMPLATE``, a file copy), instead of importing the same files again."""

import asyncio

import asyncpg
from sqlalchemy.engine import make_url

from fs_common.databases import asyncpg_dsn, create_and_migrate, drop_database
from locator.data_files import ARRONDISSEMENTS_CSV, COMMUNES_CSV, SERVICE_DIR, SITES_CSV
from locator.imports import in_transaction, read_source, run_import_communes, run_import_sites

from .isolation import test_database_url


def load(url: str) -> None:
    """Create ``url``, migrate it and import the national files into it, as ``make run`` does."""
    create_and_migrate(SERVICE_DIR, url)
    asyncio.run(in_transaction(url, lambda s: run_import_communes(s, COMMUNES_CSV, ARRONDISSEMENTS_CSV)))
    asyncio.run(in_transaction(url, lambda s: run_import_sites(s, read_source(str(SITES_CSV)))))


class NationalData:
    """The template, loaded at the first ``clone``; ``drop`` it at the end of the run."""

    def __init__(self) -> None:
        self._template: str | None = None

    def clone(self, name: str) -> str:
        """A new database of this run (``test_database_url(name)``), a copy of the loaded template; the
        caller drops it."""
        if self._template is None:
            template = test_database_url("national")
            try:
                load(template)
            except BaseException:
                asyncio.run(drop_database(template))
                raise
            self._template = template
        url = test_database_url(name)
        asyncio.run(_copy(self._template, url))
        return url

    def drop(self) -> None:
        if self._template is not None:
            asyncio.run(drop_database(self._template))
            self._template = None


async def _copy(template_url: str, url: str) -> None:
    template, name = make_url(template_url).database, make_url(url).database
    conn = await asyncpg.connect(asyncpg_dsn(url, database="postgres"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await conn.close()
