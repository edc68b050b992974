"""Facets of saved itineraries (figures, difficulty, themes, communes…) for the home's filters.

Derived data, computed from the itinerary of one ``version`` (see :mod:`web.facets`); a
row goes with its itinerary (``ON DELETE CASCADE``) and is recomputed when it is stale.
The index answers "have the published itineraries changed?" (count, last update, sum of
versions), asked once per listing, and lists them, without reading the rows' large
``data`` column; the row's words (slug, name, description, author) are copied beside the
facets for the same reason.

Revision ID: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "itinerary_facets",
        sa.Column("itinerary_id", sa.Integer,
                  sa.ForeignKey("itineraries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("basis", sa.String(80), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("profile", sa.String(20), nullable=False),
        sa.Column("distance_m", sa.Float, nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("ascent_m", sa.Float, nullable=True),
        sa.Column("difficulty", sa.Integer, nullable=False),
        sa.Column("route", sa.String(10), nullable=False),
        sa.Column("days", sa.Integer, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("search", sa.Text, nullable=False),
        sa.Column("start_commune", sa.String(120), nullable=False),
        sa.Column("line", sa.JSON, nullable=False))
    op.create_index("ix_itineraries_published", "itineraries", ["published", "updated", "version"])


def downgrade() -> None:
    op.drop_index("ix_itineraries_published", "itineraries")
    op.drop_table("itinerary_facets")
