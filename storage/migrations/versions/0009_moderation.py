"""moderation: blocks, mutes, domain blocks, reports, suspended and silenced accounts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

ACCOUNT_COLUMNS = ('suspended_at', 'silenced_at', 'moved_to_account_id')


def _pair_table(name: str, *columns: sa.Column) -> None:
    """A table of (account, target account) rows, one per pair, both sides cascading."""
    op.create_table(name,
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('target_account_id', sa.BigInteger(), nullable=False),
    *[item for item in columns if isinstance(item, sa.Column)],
    sa.Column('created_at', UTCDateTime(), nullable=False),
    *[item for item in columns if not isinstance(item, sa.Column)],
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f(f'fk_{name}_account_id_accounts'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_account_id'], ['accounts.id'],
                            name=op.f(f'fk_{name}_target_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
    sa.UniqueConstraint('account_id', 'target_account_id', name=op.f(f'uq_{name}_account_id_target_account_id'))
    )
    op.create_index(op.f(f'ix_{name}_target_account_id'), name, ['target_account_id'], unique=False)


def upgrade() -> None:
    _pair_table('blocks', sa.Column('block_uri', sa.String(length=2048), nullable=False),
                sa.UniqueConstraint('block_uri', name=op.f('uq_blocks_block_uri')))
    _pair_table('mutes', sa.Column('notifications', sa.Boolean(), nullable=False),
                sa.Column('expires_at', UTCDateTime(), nullable=True))
    op.create_table('account_domain_blocks',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('domain', sa.String(length=255), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_domain_blocks_account_id_accounts'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_domain_blocks')),
    sa.UniqueConstraint('account_id', 'domain', name=op.f('uq_account_domain_blocks_account_id_domain'))
    )
    op.create_table('domain_blocks',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('domain', sa.String(length=255), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('reject_media', sa.Boolean(), nullable=False),
    sa.Column('reject_reports', sa.Boolean(), nullable=False),
    sa.Column('private_comment', sa.Text(), nullable=False),
    sa.Column('public_comment', sa.Text(), nullable=False),
    sa.Column('obfuscate', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_domain_blocks')),
    sa.UniqueConstraint('domain', name=op.f('uq_domain_blocks_domain'))
    )
    op.create_table('reports',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('target_account_id', sa.BigInteger(), nullable=False),
    sa.Column('post_ids', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('forwarded', sa.Boolean(), nullable=False),
    sa.Column('flag_uri', sa.String(length=2048), nullable=True),
    sa.Column('action_taken_at', UTCDateTime(), nullable=True),
    sa.Column('action_taken_by_account_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_reports_account_id_accounts'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_account_id'], ['accounts.id'], name=op.f('fk_reports_target_account_id_accounts'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('flag_uri', name=op.f('uq_reports_flag_uri'))
    )
    op.create_index(op.f('ix_reports_target_account_id'), 'reports', ['target_account_id'], unique=False)
    for column in ('file_path', 'preview_path'):
        op.create_index(op.f(f'ix_media_attachments_{column}'), 'media_attachments', [column], unique=False)
    # Plain ADD COLUMN (no table copy): SQLite's batch mode would rebuild `accounts` and lose
    # its expression index and the counters' triggers (see 0008).
    op.add_column('accounts', sa.Column('suspended_at', UTCDateTime(), nullable=True))
    op.add_column('accounts', sa.Column('silenced_at', UTCDateTime(), nullable=True))
    op.add_column('accounts', sa.Column('moved_to_account_id', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    for name in reversed(ACCOUNT_COLUMNS):
        op.drop_column('accounts', name)
    for column in ('file_path', 'preview_path'):
        op.drop_index(op.f(f'ix_media_attachments_{column}'), table_name='media_attachments')
    op.drop_index(op.f('ix_reports_target_account_id'), table_name='reports')
    op.drop_table('reports')
    op.drop_table('domain_blocks')
    op.drop_table('account_domain_blocks')
    for name in ('mutes', 'blocks'):
        op.drop_table(name)
