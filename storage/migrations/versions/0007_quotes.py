"""quotes: consented quote posts (FEP-044f) and who may quote what

A `quotes` row per quoting post with where its consent stands; each post's quote policy and
count of accepted quotes; each user's default policy for new posts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('quotes',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('post_id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('quoted_post_id', sa.BigInteger(), nullable=True),
    sa.Column('quoted_account_id', sa.BigInteger(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('request_uri', sa.String(length=2048), nullable=True),
    sa.Column('authorization_uri', sa.String(length=2048), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_quotes_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_quotes_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotes')),
    sa.UniqueConstraint('post_id', name=op.f('uq_quotes_post_id'))
    )
    op.create_index(op.f('ix_quotes_quoted_post_id'), 'quotes', ['quoted_post_id'], unique=False)
    op.create_index(op.f('ix_quotes_request_uri'), 'quotes', ['request_uri'], unique=False)
    op.create_index(op.f('ix_quotes_authorization_uri'), 'quotes', ['authorization_uri'], unique=False)
    with op.batch_alter_table('posts') as batch:
        batch.add_column(sa.Column('quote_policy', sa.String(length=16), nullable=False, server_default='public'))
        batch.add_column(sa.Column('quotes_count', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('default_quote_policy', sa.String(length=16), nullable=False,
                                   server_default='public'))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('default_quote_policy')
    with op.batch_alter_table('posts') as batch:
        batch.drop_column('quotes_count')
        batch.drop_column('quote_policy')
    op.drop_index(op.f('ix_quotes_authorization_uri'), table_name='quotes')
    op.drop_index(op.f('ix_quotes_request_uri'), table_name='quotes')
    op.drop_index(op.f('ix_quotes_quoted_post_id'), table_name='quotes')
    op.drop_table('quotes')
