"""client lists and filters: the rest of the Mastodon client API's own rows

Lists and their members; filters (v2) with their keywords and posts; direct conversations;
notification policies and the senders accepted despite them; tags, followed and featured.

Revision ID: 0010
Revises: 0013
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'),
                                   ondelete='CASCADE')


def upgrade() -> None:
    op.create_table('lists',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=256), nullable=False),
    sa.Column('replies_policy', sa.String(length=16), nullable=False),
    sa.Column('exclusive', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    _fk('lists', 'account_id', 'accounts'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lists'))
    )
    op.create_index(op.f('ix_lists_account_id'), 'lists', ['account_id'], unique=False)
    op.create_table('list_accounts',
    sa.Column('list_id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    _fk('list_accounts', 'list_id', 'lists'),
    _fk('list_accounts', 'account_id', 'accounts'),
    sa.PrimaryKeyConstraint('list_id', 'account_id', name=op.f('pk_list_accounts'))
    )
    op.create_index('ix_list_accounts_account_id', 'list_accounts', ['account_id'], unique=False)
    op.create_table('filters',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=256), nullable=False),
    sa.Column('context', sa.JSON(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('expires_at', UTCDateTime(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    _fk('filters', 'account_id', 'accounts'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filters'))
    )
    op.create_index(op.f('ix_filters_account_id'), 'filters', ['account_id'], unique=False)
    op.create_table('filter_keywords',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('filter_id', sa.BigInteger(), nullable=False),
    sa.Column('keyword', sa.String(length=512), nullable=False),
    sa.Column('whole_word', sa.Boolean(), nullable=False),
    _fk('filter_keywords', 'filter_id', 'filters'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filter_keywords'))
    )
    op.create_index(op.f('ix_filter_keywords_filter_id'), 'filter_keywords', ['filter_id'], unique=False)
    op.create_table('filter_statuses',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('filter_id', sa.BigInteger(), nullable=False),
    sa.Column('post_id', sa.BigInteger(), nullable=False),
    _fk('filter_statuses', 'filter_id', 'filters'),
    _fk('filter_statuses', 'post_id', 'posts'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filter_statuses')),
    sa.UniqueConstraint('filter_id', 'post_id', name=op.f('uq_filter_statuses_filter_id_post_id'))
    )
    op.create_index(op.f('ix_filter_statuses_filter_id'), 'filter_statuses', ['filter_id'], unique=False)
    op.create_table('conversations',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('participants_key', sa.String(length=64), nullable=False),
    sa.Column('participant_ids', sa.JSON(), nullable=False),
    sa.Column('post_ids', sa.JSON(), nullable=False),
    sa.Column('last_post_id', sa.BigInteger(), nullable=False),
    sa.Column('unread', sa.Boolean(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    _fk('conversations', 'account_id', 'accounts'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations')),
    sa.UniqueConstraint('account_id', 'participants_key', name=op.f('uq_conversations_account_id_participants_key'))
    )
    op.create_index('ix_conversations_account_id_last_post_id', 'conversations', ['account_id', 'last_post_id'],
                    unique=False)
    op.create_table('notification_policies',
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    *[sa.Column(f'for_{name}', sa.String(length=16), nullable=False)
      for name in ('not_following', 'not_followers', 'new_accounts', 'private_mentions', 'limited_accounts')],
    _fk('notification_policies', 'account_id', 'accounts'),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_notification_policies'))
    )
    op.create_table('tags',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=False),
    sa.Column('display_name', sa.String(length=256), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('name', name=op.f('uq_tags_name'))
    )
    op.create_table('tag_follows',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('tag_id', sa.BigInteger(), nullable=False),
    _fk('tag_follows', 'account_id', 'accounts'),
    _fk('tag_follows', 'tag_id', 'tags'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag_follows')),
    sa.UniqueConstraint('account_id', 'tag_id', name=op.f('uq_tag_follows_account_id_tag_id'))
    )
    op.create_index(op.f('ix_tag_follows_tag_id'), 'tag_follows', ['tag_id'], unique=False)
    op.create_table('featured_tags',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('tag_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    _fk('featured_tags', 'account_id', 'accounts'),
    _fk('featured_tags', 'tag_id', 'tags'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_featured_tags')),
    sa.UniqueConstraint('account_id', 'tag_id', name=op.f('uq_featured_tags_account_id_tag_id'))
    )
    op.create_index('ix_featured_tags_tag_id', 'featured_tags', ['tag_id'], unique=False)
    op.create_table('notification_permissions',
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('from_account_id', sa.BigInteger(), nullable=False),
    _fk('notification_permissions', 'account_id', 'accounts'),
    _fk('notification_permissions', 'from_account_id', 'accounts'),
    sa.PrimaryKeyConstraint('account_id', 'from_account_id', name=op.f('pk_notification_permissions'))
    )


def downgrade() -> None:
    op.drop_index('ix_featured_tags_tag_id', table_name='featured_tags')
    op.drop_table('featured_tags')
    op.drop_index(op.f('ix_tag_follows_tag_id'), table_name='tag_follows')
    op.drop_table('tag_follows')
    op.drop_table('tags')
    op.drop_table('notification_permissions')
    op.drop_table('notification_policies')
    op.drop_index('ix_conversations_account_id_last_post_id', table_name='conversations')
    op.drop_table('conversations')
    op.drop_index(op.f('ix_filter_statuses_filter_id'), table_name='filter_statuses')
    op.drop_table('filter_statuses')
    op.drop_index(op.f('ix_filter_keywords_filter_id'), table_name='filter_keywords')
    op.drop_table('filter_keywords')
    op.drop_index(op.f('ix_filters_account_id'), table_name='filters')
    op.drop_table('filters')
    op.drop_index('ix_list_accounts_account_id', table_name='list_accounts')
    op.drop_table('list_accounts')
    op.drop_index(op.f('ix_lists_account_id'), table_name='lists')
    op.drop_table('lists')
