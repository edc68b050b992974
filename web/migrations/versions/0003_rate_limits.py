"""Shared rate-limit counters (several instances count together); Alembic owns versions.

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("expires", sa.Float, nullable=False))
    # The home-made version table of the first schemas: Alembic's alembic_version replaces it.
    op.execute("DROP TABLE IF EXISTS schema_version")


def downgrade() -> None:
    op.drop_table("rate_limits")
    op.create_table("schema_version", sa.Column("version", sa.Integer, nullable=False))
    op.execute("INSERT INTO schema_version (version) VALUES (2)")
