"""``booking`` command: database migrations and the service's jobs."""

from pathlib import Path

import typer

from booking.config import get_settings
from fs_common.databases import create_and_migrate

app = typer.Typer(help="France Services booking service.", no_args_is_help=True)
SERVICE_DIR = Path(__file__).resolve().parent.parent


@app.command()
def migrate() -> None:
    """Create the database if needed and run the migrations."""
    create_and_migrate(SERVICE_DIR, get_settings().database_url)
    typer.echo("booking: database migrated", err=True)


@app.callback()
def main() -> None:
    """France Services booking service."""
