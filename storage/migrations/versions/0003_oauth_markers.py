"""oauth apps, codes and tokens; timeline markers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('oauth_apps',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('client_secret_digest', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('website', sa.String(length=2048), nullable=True),
    sa.Column('redirect_uris', sa.JSON(), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_apps')),
    sa.UniqueConstraint('client_id', name=op.f('uq_oauth_apps_client_id'))
    )
    op.create_table('markers',
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('timeline', sa.String(length=32), nullable=False),
    sa.Column('last_read_id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_markers_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'timeline', name=op.f('pk_markers'))
    )
    op.create_table('oauth_codes',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('code_digest', sa.String(length=64), nullable=False),
    sa.Column('app_id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('redirect_uri', sa.String(length=2048), nullable=False),
    sa.Column('code_challenge', sa.String(length=128), nullable=True),
    sa.Column('code_challenge_method', sa.String(length=16), nullable=True),
    sa.Column('expires_at', UTCDateTime(), nullable=False),
    sa.Column('used_at', UTCDateTime(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_oauth_codes_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['app_id'], ['oauth_apps.id'], name=op.f('fk_oauth_codes_app_id_oauth_apps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_codes')),
    sa.UniqueConstraint('code_digest', name=op.f('uq_oauth_codes_code_digest'))
    )
    op.create_index(op.f('ix_oauth_codes_account_id'), 'oauth_codes', ['account_id'], unique=False)
    op.create_index(op.f('ix_oauth_codes_app_id'), 'oauth_codes', ['app_id'], unique=False)
    op.create_table('oauth_tokens',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('app_id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=True),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('revoked_at', UTCDateTime(), nullable=True),
    sa.Column('last_used_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_oauth_tokens_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['app_id'], ['oauth_apps.id'], name=op.f('fk_oauth_tokens_app_id_oauth_apps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_tokens')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_oauth_tokens_token_digest'))
    )
    op.create_index(op.f('ix_oauth_tokens_account_id'), 'oauth_tokens', ['account_id'], unique=False)
    op.create_index(op.f('ix_oauth_tokens_app_id'), 'oauth_tokens', ['app_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_oauth_tokens_app_id'), table_name='oauth_tokens')
    op.drop_index(op.f('ix_oauth_tokens_account_id'), table_name='oauth_tokens')
    op.drop_table('oauth_tokens')
    op.drop_index(op.f('ix_oauth_codes_app_id'), table_name='oauth_codes')
    op.drop_index(op.f('ix_oauth_codes_account_id'), table_name='oauth_codes')
    op.drop_table('oauth_codes')
    op.drop_table('markers')
    op.drop_table('oauth_apps')
