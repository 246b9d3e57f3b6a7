"""booking_states.anonymised_at: when the retention job blanked the contact details

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("booking_states", sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_booking_states_retention", "booking_states", ["starts_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_booking_states_retention", table_name="booking_states")
    op.drop_column("booking_states", "anonymised_at")
