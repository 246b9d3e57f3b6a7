"""notify stop changes

Coverage reads the stops from the same in-memory snapshot as the searches (``locator/snapshot/``), so a
write to ``stop`` notifies ``locator_search_data`` too, like ``site`` and ``commune`` (migration 0002).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 07:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE TRIGGER stop_search_data_changed"
        " AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON stop"
        " FOR EACH STATEMENT EXECUTE FUNCTION notify_search_data_changed()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER stop_search_data_changed ON stop")
