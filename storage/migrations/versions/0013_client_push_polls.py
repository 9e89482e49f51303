"""client push, polls: Web Push subscriptions and their queue, the node's kept keys, polls
and votes, pinned posts, endorsements, scheduled statuses

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column('id', sa.BigInteger(), nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'),
                                   ondelete='CASCADE')


def _queue_columns() -> list[sa.Column]:
    return [
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTCDateTime(), nullable=False),
        sa.Column('locked_until', UTCDateTime(), nullable=True),
        sa.Column('lease_token', sa.String(length=32), nullable=True),
        sa.Column('last_status', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('finished_at', UTCDateTime(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table('node_keys',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('private_pem', sa.Text(), nullable=False),
    sa.Column('public_key', sa.String(length=255), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_node_keys'))
    )
    op.create_table('push_subscriptions',
    _id(),
    sa.Column('token_id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('endpoint', sa.String(length=2048), nullable=False),
    sa.Column('key_p256dh', sa.String(length=255), nullable=False),
    sa.Column('key_auth', sa.String(length=255), nullable=False),
    sa.Column('standard', sa.Boolean(), nullable=False),
    sa.Column('alerts', sa.JSON(), nullable=False),
    sa.Column('policy', sa.String(length=16), nullable=False),
    sa.Column('last_notification_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    _fk('push_subscriptions', 'token_id', 'oauth_tokens'),
    _fk('push_subscriptions', 'account_id', 'accounts'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscriptions')),
    sa.UniqueConstraint('token_id', name=op.f('uq_push_subscriptions_token_id'))
    )
    op.create_index(op.f('ix_push_subscriptions_account_id'), 'push_subscriptions', ['account_id'], unique=False)
    op.create_table('push_deliveries',
    _id(),
    sa.Column('subscription_id', sa.BigInteger(), nullable=False),
    sa.Column('notification_id', sa.BigInteger(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    *_queue_columns(),
    _fk('push_deliveries', 'subscription_id', 'push_subscriptions'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_deliveries')),
    sa.UniqueConstraint('subscription_id', 'notification_id',
                        name=op.f('uq_push_deliveries_subscription_id_notification_id'))
    )
    op.create_index('ix_push_deliveries_state_next_attempt_at', 'push_deliveries', ['state', 'next_attempt_at'],
                    unique=False)
    op.create_table('polls',
    _id(),
    sa.Column('post_id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('votes_counts', sa.JSON(), nullable=False),
    sa.Column('multiple', sa.Boolean(), nullable=False),
    sa.Column('hide_totals', sa.Boolean(), nullable=False),
    sa.Column('voters_count', sa.Integer(), nullable=True),
    sa.Column('expires_at', UTCDateTime(), nullable=True),
    sa.Column('closed_at', UTCDateTime(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    _fk('polls', 'post_id', 'posts'),
    _fk('polls', 'account_id', 'accounts'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_polls')),
    sa.UniqueConstraint('post_id', name=op.f('uq_polls_post_id'))
    )
    op.create_index('ix_polls_closed_at_expires_at', 'polls', ['closed_at', 'expires_at'], unique=False)
    op.create_table('poll_votes',
    _id(),
    sa.Column('poll_id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('choice', sa.Integer(), nullable=False),
    sa.Column('vote_uri', sa.String(length=2048), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    _fk('poll_votes', 'poll_id', 'polls'),
    _fk('poll_votes', 'account_id', 'accounts'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_votes')),
    sa.UniqueConstraint('poll_id', 'account_id', 'choice', name=op.f('uq_poll_votes_poll_id_account_id_choice')),
    sa.UniqueConstraint('vote_uri', name=op.f('uq_poll_votes_vote_uri'))
    )
    op.create_index(op.f('ix_poll_votes_account_id'), 'poll_votes', ['account_id'], unique=False)
    op.create_table('pinned_posts',
    _id(),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('post_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    _fk('pinned_posts', 'account_id', 'accounts'),
    _fk('pinned_posts', 'post_id', 'posts'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pinned_posts')),
    sa.UniqueConstraint('account_id', 'post_id', name=op.f('uq_pinned_posts_account_id_post_id'))
    )
    op.create_index(op.f('ix_pinned_posts_post_id'), 'pinned_posts', ['post_id'], unique=False)
    op.create_table('endorsements',
    _id(),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('target_account_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    _fk('endorsements', 'account_id', 'accounts'),
    _fk('endorsements', 'target_account_id', 'accounts'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_endorsements')),
    sa.UniqueConstraint('account_id', 'target_account_id', name=op.f('uq_endorsements_account_id_target_account_id'))
    )
    op.create_index(op.f('ix_endorsements_target_account_id'), 'endorsements', ['target_account_id'], unique=False)
    op.create_table('scheduled_statuses',
    _id(),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('scheduled_at', UTCDateTime(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('media_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    _fk('scheduled_statuses', 'account_id', 'accounts'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_statuses'))
    )
    op.create_index(op.f('ix_scheduled_statuses_account_id'), 'scheduled_statuses', ['account_id'], unique=False)
    op.create_index('ix_scheduled_statuses_scheduled_at', 'scheduled_statuses', ['scheduled_at'], unique=False)


def downgrade() -> None:
    for table in ('scheduled_statuses', 'endorsements', 'pinned_posts', 'poll_votes', 'polls', 'push_deliveries',
                  'push_subscriptions', 'node_keys'):
        op.drop_table(table)
