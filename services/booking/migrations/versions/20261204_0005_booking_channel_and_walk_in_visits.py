"""booking channel and author, walk-in visits

Bookings say how they were made (online, or by an agent on the person's behalf) and by whom; walk-ins
(accompaniments without an appointment) are counted without any personal data.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("booking", sa.Column("channel", sa.String(), server_default="online", nullable=False))
    op.add_column("booking", sa.Column("created_by", sa.String(), nullable=True))
    op.create_table(
        "visit",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("partner", sa.String(), nullable=False),
        sa.Column("demarches", postgresql.ARRAY(sa.String()), nullable=False),
        sa.Column("label", sa.String(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit")),
    )
    op.create_index("ix_visit_site_day", "visit", ["site_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_visit_site_day", table_name="visit")
    op.drop_table("visit")
    op.drop_column("booking", "created_by")
    op.drop_column("booking", "channel")
