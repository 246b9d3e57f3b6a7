"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 13:09:48.480444
"""

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "commune",
        sa.Column("code_insee", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("search_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("departement", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("zone", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("parent_code", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("postcodes", postgresql.ARRAY(sa.String(length=5)), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column(
            "location",
            geoalchemy2.types.Geography(
                geometry_type="POINT", srid=4326, dimension=2, from_text="ST_GeogFromText", name="geography"
            ),
            nullable=True,
        ),
        sa.Column("centroid_source", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("code_insee", name=op.f("pk_commune")),
    )
    op.create_index(op.f("ix_commune_departement"), "commune", ["departement"], unique=False)
    op.create_index(
        op.f("ix_commune_postcodes"), "commune", ["postcodes"], unique=False, postgresql_using="gin"
    )
    op.create_index(op.f("ix_commune_search_key"), "commune", ["search_key"], unique=False)
    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("is_mobile", sa.Boolean(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("address_complement", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("insee_code", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("commune_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("postcode", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("departement", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "location",
            geoalchemy2.types.Geography(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                from_text="ST_GeogFromText",
                name="geography",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("opening_hours", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("hours_known", sa.Boolean(), nullable=False),
        sa.Column("appointment_required", sa.Boolean(), nullable=False),
        sa.Column("partners", postgresql.ARRAY(sa.String()), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("group_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("labelled_since", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
    )
    op.create_index(op.f("ix_site_departement"), "site", ["departement"], unique=False)
    op.create_index(op.f("ix_site_insee_code"), "site", ["insee_code"], unique=False)
    op.create_index(op.f("ix_site_is_mobile"), "site", ["is_mobile"], unique=False)
    op.create_index(op.f("ix_site_kind"), "site", ["kind"], unique=False)
    op.create_table(
        "stop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("insee_code", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("commune_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column(
            "location",
            geoalchemy2.types.Geography(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                from_text="ST_GeogFromText",
                name="geography",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("visits", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_stop_site_id_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stop")),
    )
    op.create_index(op.f("ix_stop_site_id"), "stop", ["site_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_stop_site_id"), table_name="stop")
    op.drop_table("stop")
    op.drop_index(op.f("ix_site_kind"), table_name="site")
    op.drop_index(op.f("ix_site_is_mobile"), table_name="site")
    op.drop_index(op.f("ix_site_insee_code"), table_name="site")
    op.drop_index(op.f("ix_site_departement"), table_name="site")
    op.drop_table("site")
    op.drop_index(op.f("ix_commune_search_key"), table_name="commune")
    op.drop_index(op.f("ix_commune_postcodes"), table_name="commune", postgresql_using="gin")
    op.drop_index(op.f("ix_commune_departement"), table_name="commune")
    op.drop_table("commune")
