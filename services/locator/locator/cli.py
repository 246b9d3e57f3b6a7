"""``locator`` command: migrations and imports of the reference data."""

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from fs_common.databases import create_and_migrate
from fs_common.db import create_engine, make_sessionmaker
from fs_common.spreadsheet import safe_writer
from locator.config import get_settings
from locator.coverage.answers import coverage as coverage_of
from locator.coverage.cache import CoverageState
from locator.coverage.ferries import FerryCrossings
from locator.coverage.network import Scope
from locator.coverage.schemas import CoverageOut
from locator.data_files import ARRONDISSEMENTS_CSV, COMMUNES_CSV, SERVICE_DIR, SITES_CSV
from locator.imports import (
    ImportSourceError,
    in_transaction,
    read_source,
    run_import_communes,
    run_import_sites,
)
from locator.sites.importer import SiteImportReport
from locator.snapshot.tables import Snapshot
from locator.travel.model import TravelModel

app = typer.Typer(
    help="France Services locator: migrations and reference data imports.", no_args_is_help=True
)
console = Console(stderr=True)


@app.command()
def migrate() -> None:
    """Create the database if needed and run the migrations."""
    create_and_migrate(SERVICE_DIR, get_settings().database_url)
    console.print("locator: database migrated")


@app.command("import-communes")
def import_communes(
    communes_csv: Annotated[Path, typer.Argument(help="Commune table CSV")] = COMMUNES_CSV,
    arrondissements_csv: Annotated[
        Path, typer.Option(help="Arrondissement centres (ODbL)")
    ] = ARRONDISSEMENTS_CSV,
) -> None:
    """Import (or update) the commune table."""
    result = asyncio.run(
        in_transaction(
            get_settings().database_url, lambda s: run_import_communes(s, communes_csv, arrondissements_csv)
        )
    )
    console.print(f"communes: {result.imported} imported, {len(result.without_centre)} without a centre")


def _print_report(report: SiteImportReport, report_file: Path | None) -> None:
    rejected = report.rejected
    corrected = [i for i in report.issues if i.action == "corrected"]
    console.print(
        f"sites: {report.rows} rows read, {report.imported} imported, {len(rejected)} rejected, "
        f"{len(corrected)} corrections, {len(report.issues) - len(rejected) - len(corrected)} notes"
    )
    for issue in rejected:
        console.print(f"  line {issue.line} (id_fs {issue.site_id}) {issue.field}: REJECTED, {issue.reason}")
    if report_file:
        report_file.parent.mkdir(parents=True, exist_ok=True)
        with report_file.open("w", encoding="utf-8", newline="") as f:
            writer = safe_writer(f)
            writer.writerow(["line", "id_fs", "field", "action", "reason"])
            for i in report.issues:
                writer.writerow([i.line, i.site_id, i.field, i.action, i.reason])
        console.print(f"full report: {report_file}")
    else:
        for i in corrected:
            console.print(f"  line {i.line} (id_fs {i.site_id}) {i.field}: {i.reason}")


@app.command("import-sites")
def import_sites(
    source: Annotated[str, typer.Argument(help="Path or http(s) URL of the national list (ANCT CSV)")] = str(
        SITES_CSV
    ),
    report_file: Annotated[
        Path | None, typer.Option("--report", help="Write every issue to this CSV")
    ] = None,
) -> None:
    """Import (or update) the national list of France Services, in one transaction."""
    try:
        content = read_source(source)
    except ImportSourceError as exc:
        console.print(f"[red]import-sites: {exc}[/red]")
        raise typer.Exit(2) from exc
    with Progress(
        TextColumn("sites"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not sys.stderr.isatty(),
    ) as progress:
        task = progress.add_task("import", total=None)
        try:
            report = asyncio.run(
                in_transaction(
                    get_settings().database_url,
                    lambda s: run_import_sites(
                        s,
                        content,
                        on_start=lambda n: progress.update(task, total=n),
                        on_row=lambda: progress.advance(task),
                    ),
                )
            )
        except ImportSourceError as exc:
            console.print(f"[red]import-sites: {exc}[/red]")
            raise typer.Exit(2) from exc
    _print_report(report, report_file)


@app.command()
def bootstrap() -> None:
    """Migrate, then import the vendored communes and sites (what ``make run`` does; safe to repeat)."""
    migrate()
    import_communes(COMMUNES_CSV, ARRONDISSEMENTS_CSV)
    import_sites(str(SITES_CSV), report_file=Path("var/import-sites-report.csv"))


@app.command()
def coverage(
    minutes: Annotated[float, typer.Option(help="Seuil en minutes")] = 30,
    include_mobile: Annotated[bool, typer.Option(help="Compter les bus et leurs arrêts")] = False,
) -> None:
    """Print the national table per département: population, share within the threshold, people beyond."""
    rows = asyncio.run(_coverage_table(minutes, include_mobile))
    table = Table(title=f"France Services à {minutes:g} minutes ou moins, par département")
    for header in ("département", "population", f"part à {minutes:g} min", "au-delà", "communes au-delà"):
        table.add_column(header, justify="left" if header == "département" else "right")
    for row in sorted(rows, key=lambda r: (r.share, r.departement)):
        table.add_row(
            row.departement,
            f"{row.population:,}".replace(",", " "),
            f"{row.share:.1%}",
            f"{row.population_beyond:,}".replace(",", " "),
            str(len(row.communes_beyond)),
        )
    Console().print(table)


async def _coverage_table(minutes: float, include_mobile: bool) -> list[CoverageOut]:
    settings = get_settings()
    model = TravelModel.from_settings(settings)
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session:
            snapshot = await Snapshot.load(session, model)
    finally:
        await engine.dispose()
    state = CoverageState(model, ferries=FerryCrossings.from_settings(settings))
    departements = sorted(set(snapshot.communes.departements))
    rows = []
    with Progress(
        TextColumn("départements"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
    ) as progress:
        task = progress.add_task("coverage", total=len(departements))
        for departement in departements:
            scope = Scope(departement=departement)
            rows.append(
                await coverage_of(state, snapshot, scope, minutes=minutes, include_mobile=include_mobile)
            )
            progress.advance(task)
    return rows


if __name__ == "__main__":
    app()
