"""Accounts and users.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

URI = sa.String(2048)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("username", sa.String(255), nullable=False),
        sa.Column("domain", sa.String(255), nullable=True),
        sa.Column("actor_uri", URI, nullable=False),
        sa.Column("actor_type", sa.String(32), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("url", URI),
        sa.Column("inbox_uri", URI),
        sa.Column("outbox_uri", URI),
        sa.Column("shared_inbox_uri", URI),
        sa.Column("followers_uri", URI),
        sa.Column("following_uri", URI),
        sa.Column("featured_uri", URI),
        sa.Column("avatar_uri", URI),
        sa.Column("header_uri", URI),
        sa.Column("public_key_id", URI),
        sa.Column("public_key_pem", sa.Text()),
        sa.Column("private_key_pem", sa.Text()),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("bot", sa.Boolean(), nullable=False),
        sa.Column("discoverable", sa.Boolean(), nullable=False),
        sa.Column("indexable", sa.Boolean(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("fetched_at", UTCDateTime()),
        sa.Column("gone_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("actor_uri", name="uq_accounts_actor_uri"),
    )
    op.create_index(
        "uq_accounts_username_domain",
        "accounts",
        [sa.text("lower(username)"), sa.text("coalesce(domain, '')")],
        unique=True,
    )
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("admin", sa.Boolean(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_users_account_id_accounts", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("account_id", name="uq_users_account_id"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )


def downgrade() -> None:
    op.drop_table("users")
    op.drop_index("uq_accounts_username_domain", table_name="accounts")
    op.drop_table("accounts")
