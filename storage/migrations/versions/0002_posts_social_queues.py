"""posts, social graph, queues

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deliveries',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('activity_uri', sa.String(length=2048), nullable=False),
    sa.Column('inbox_uri', sa.String(length=2048), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('signer_account_id', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', UTCDateTime(), nullable=False),
    sa.Column('locked_until', UTCDateTime(), nullable=True),
    sa.Column('lease_token', sa.String(length=32), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('finished_at', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('activity_uri', 'inbox_uri', name=op.f('uq_deliveries_activity_uri_inbox_uri'))
    )
    op.create_index('ix_deliveries_state_next_attempt_at', 'deliveries', ['state', 'next_attempt_at'], unique=False)
    op.create_table('inbox_items',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('activity_uri', sa.String(length=2048), nullable=False),
    sa.Column('actor_uri', sa.String(length=2048), nullable=False),
    sa.Column('activity_type', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('recipient_account_id', sa.BigInteger(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', UTCDateTime(), nullable=False),
    sa.Column('locked_until', UTCDateTime(), nullable=True),
    sa.Column('lease_token', sa.String(length=32), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('received_at', UTCDateTime(), nullable=False),
    sa.Column('finished_at', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_items')),
    sa.UniqueConstraint('activity_uri', name=op.f('uq_inbox_items_activity_uri'))
    )
    op.create_index('ix_inbox_items_state_next_attempt_at', 'inbox_items', ['state', 'next_attempt_at'], unique=False)
    op.create_table('tombstones',
    sa.Column('uri', sa.String(length=2048), nullable=False),
    sa.Column('deleted_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('uri', name=op.f('pk_tombstones'))
    )
    op.create_table('follows',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('target_account_id', sa.BigInteger(), nullable=False),
    sa.Column('follow_uri', sa.String(length=2048), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_follows_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_account_id'], ['accounts.id'], name=op.f('fk_follows_target_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follows')),
    sa.UniqueConstraint('account_id', 'target_account_id', name=op.f('uq_follows_account_id_target_account_id')),
    sa.UniqueConstraint('follow_uri', name=op.f('uq_follows_follow_uri'))
    )
    op.create_index(op.f('ix_follows_target_account_id'), 'follows', ['target_account_id'], unique=False)
    op.create_table('posts',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('object_uri', sa.String(length=2048), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=True),
    sa.Column('local', sa.Boolean(), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=True),
    sa.Column('spoiler_text', sa.Text(), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('in_reply_to_uri', sa.String(length=2048), nullable=True),
    sa.Column('in_reply_to_id', sa.BigInteger(), nullable=True),
    sa.Column('in_reply_to_account_id', sa.BigInteger(), nullable=True),
    sa.Column('reblog_of_id', sa.BigInteger(), nullable=True),
    sa.Column('quote_of_uri', sa.String(length=2048), nullable=True),
    sa.Column('quote_of_id', sa.BigInteger(), nullable=True),
    sa.Column('to_uris', sa.JSON(), nullable=False),
    sa.Column('cc_uris', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('generation', sa.JSON(), nullable=True),
    sa.Column('favourites_count', sa.Integer(), nullable=False),
    sa.Column('reblogs_count', sa.Integer(), nullable=False),
    sa.Column('replies_count', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('edited_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_posts_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reblog_of_id'], ['posts.id'], name=op.f('fk_posts_reblog_of_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posts')),
    sa.UniqueConstraint('object_uri', name=op.f('uq_posts_object_uri'))
    )
    op.create_index(op.f('ix_posts_account_id'), 'posts', ['account_id'], unique=False)
    op.create_index('ix_posts_account_id_id', 'posts', ['account_id', 'id'], unique=False)
    op.create_index(op.f('ix_posts_in_reply_to_id'), 'posts', ['in_reply_to_id'], unique=False)
    op.create_index(op.f('ix_posts_reblog_of_id'), 'posts', ['reblog_of_id'], unique=False)
    op.create_table('favourites',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('post_id', sa.BigInteger(), nullable=False),
    sa.Column('like_uri', sa.String(length=2048), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_favourites_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_favourites_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_favourites')),
    sa.UniqueConstraint('account_id', 'post_id', name=op.f('uq_favourites_account_id_post_id')),
    sa.UniqueConstraint('like_uri', name=op.f('uq_favourites_like_uri'))
    )
    op.create_index(op.f('ix_favourites_post_id'), 'favourites', ['post_id'], unique=False)
    op.create_table('home_feed',
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('post_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_home_feed_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_home_feed_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'post_id', name=op.f('pk_home_feed'))
    )
    op.create_index('ix_home_feed_account_id_post_id_desc', 'home_feed', ['account_id', sa.literal_column('post_id DESC')], unique=False)
    op.create_table('media_attachments',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('post_id', sa.BigInteger(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.String(length=64), nullable=False),
    sa.Column('file_path', sa.String(length=2048), nullable=True),
    sa.Column('preview_path', sa.String(length=2048), nullable=True),
    sa.Column('remote_url', sa.String(length=2048), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('blurhash', sa.String(length=128), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('focus_x', sa.Float(), nullable=False),
    sa.Column('focus_y', sa.Float(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('generation', sa.JSON(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_media_attachments_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_media_attachments_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_attachments'))
    )
    op.create_index(op.f('ix_media_attachments_account_id'), 'media_attachments', ['account_id'], unique=False)
    op.create_index(op.f('ix_media_attachments_post_id'), 'media_attachments', ['post_id'], unique=False)
    op.create_table('mentions',
    sa.Column('post_id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_mentions_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_mentions_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'account_id', name=op.f('pk_mentions'))
    )
    op.create_index(op.f('ix_mentions_account_id'), 'mentions', ['account_id'], unique=False)
    op.create_table('notifications',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('from_account_id', sa.BigInteger(), nullable=False),
    sa.Column('post_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_notifications_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_account_id'], ['accounts.id'], name=op.f('fk_notifications_from_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_notifications_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    op.create_index('ix_notifications_account_id_id', 'notifications', ['account_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notifications_account_id_id', table_name='notifications')
    op.drop_table('notifications')
    op.drop_index(op.f('ix_mentions_account_id'), table_name='mentions')
    op.drop_table('mentions')
    op.drop_index(op.f('ix_media_attachments_post_id'), table_name='media_attachments')
    op.drop_index(op.f('ix_media_attachments_account_id'), table_name='media_attachments')
    op.drop_table('media_attachments')
    op.drop_index('ix_home_feed_account_id_post_id_desc', table_name='home_feed')
    op.drop_table('home_feed')
    op.drop_index(op.f('ix_favourites_post_id'), table_name='favourites')
    op.drop_table('favourites')
    op.drop_index(op.f('ix_posts_reblog_of_id'), table_name='posts')
    op.drop_index(op.f('ix_posts_in_reply_to_id'), table_name='posts')
    op.drop_index('ix_posts_account_id_id', table_name='posts')
    op.drop_index(op.f('ix_posts_account_id'), table_name='posts')
    op.drop_table('posts')
    op.drop_index(op.f('ix_follows_target_account_id'), table_name='follows')
    op.drop_table('follows')
    op.drop_table('tombstones')
    op.drop_index('ix_inbox_items_state_next_attempt_at', table_name='inbox_items')
    op.drop_table('inbox_items')
    op.drop_index('ix_deliveries_state_next_attempt_at', table_name='deliveries')
    op.drop_table('deliveries')
