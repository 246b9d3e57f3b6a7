"""notify search data changes

Every statement that writes ``site`` or ``commune`` sends a notification on the channel
``locator_search_data`` (delivered at commit, once per transaction and table), so that each worker
reloads its in-memory search index (``locator/sites/index.py``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 15:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("site", "commune")


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION notify_search_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('locator_search_data', TG_TABLE_NAME);
            RETURN NULL;
        END
        $$
        """
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_search_data_changed"
            f" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION notify_search_data_changed()"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_search_data_changed ON {table}")
    op.execute("DROP FUNCTION notify_search_data_changed()")
