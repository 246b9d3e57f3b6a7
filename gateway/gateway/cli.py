"""``gateway`` command: administration of the public entry."""

import typer

app = typer.Typer(help="France Services gateway.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """France Services gateway."""
