"""Accounts: display names, session epochs, token expiry, author display name.

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("display_name", sa.String(80), nullable=False,
                                   server_default=""))
        users.add_column(sa.Column("session_epoch", sa.Integer, nullable=False,
                                   server_default="0"))
    with op.batch_alter_table("api_tokens") as tokens:
        tokens.add_column(sa.Column("expires", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("itineraries") as itineraries:
        itineraries.add_column(sa.Column("author_name", sa.String(80), nullable=False,
                                         server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("itineraries") as itineraries:
        itineraries.drop_column("author_name")
    with op.batch_alter_table("api_tokens") as tokens:
        tokens.drop_column("expires")
    with op.batch_alter_table("users") as users:
        users.drop_column("session_epoch")
        users.drop_column("display_name")
