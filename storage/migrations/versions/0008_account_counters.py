"""account counters kept on write

statuses_count, followers_count and following_count were counted for every account on every
page of statuses (three correlated counts per author). They are now columns, filled once
here and kept by triggers on posts and follows, so every path that writes those rows (ORM,
bulk Core statements, cascades, another process) keeps them right. (On SQLite a later
migration that rebuilds posts or follows in batch mode drops their triggers with the old
table, and must create them again.)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

COUNTERS = ('statuses_count', 'followers_count', 'following_count')

FILL = """
UPDATE accounts SET
  statuses_count = (SELECT count(*) FROM posts WHERE posts.account_id = accounts.id AND posts.visibility != 'direct'),
  followers_count = (SELECT count(*) FROM follows WHERE follows.target_account_id = accounts.id
                     AND follows.state = 'accepted'),
  following_count = (SELECT count(*) FROM follows WHERE follows.account_id = accounts.id
                     AND follows.state = 'accepted')
"""

# One statement each: SQLite's and PostgreSQL's trigger languages differ.
SQLITE_TRIGGERS = [
    """CREATE TRIGGER posts_count_insert AFTER INSERT ON posts WHEN NEW.visibility != 'direct' BEGIN
         UPDATE accounts SET statuses_count = statuses_count + 1 WHERE id = NEW.account_id; END""",
    """CREATE TRIGGER posts_count_delete AFTER DELETE ON posts WHEN OLD.visibility != 'direct' BEGIN
         UPDATE accounts SET statuses_count = statuses_count - 1 WHERE id = OLD.account_id; END""",
    """CREATE TRIGGER posts_count_update AFTER UPDATE OF visibility, account_id ON posts BEGIN
         UPDATE accounts SET statuses_count = statuses_count - 1
           WHERE id = OLD.account_id AND OLD.visibility != 'direct';
         UPDATE accounts SET statuses_count = statuses_count + 1
           WHERE id = NEW.account_id AND NEW.visibility != 'direct'; END""",
    """CREATE TRIGGER follows_count_insert AFTER INSERT ON follows WHEN NEW.state = 'accepted' BEGIN
         UPDATE accounts SET followers_count = followers_count + 1 WHERE id = NEW.target_account_id;
         UPDATE accounts SET following_count = following_count + 1 WHERE id = NEW.account_id; END""",
    """CREATE TRIGGER follows_count_delete AFTER DELETE ON follows WHEN OLD.state = 'accepted' BEGIN
         UPDATE accounts SET followers_count = followers_count - 1 WHERE id = OLD.target_account_id;
         UPDATE accounts SET following_count = following_count - 1 WHERE id = OLD.account_id; END""",
    """CREATE TRIGGER follows_count_update AFTER UPDATE OF state ON follows WHEN OLD.state != NEW.state BEGIN
         UPDATE accounts SET followers_count = followers_count
           + (CASE WHEN NEW.state = 'accepted' THEN 1 ELSE 0 END) - (CASE WHEN OLD.state = 'accepted' THEN 1 ELSE 0 END)
           WHERE id = NEW.target_account_id;
         UPDATE accounts SET following_count = following_count
           + (CASE WHEN NEW.state = 'accepted' THEN 1 ELSE 0 END) - (CASE WHEN OLD.state = 'accepted' THEN 1 ELSE 0 END)
           WHERE id = NEW.account_id; END""",
]
SQLITE_DROPS = ["posts_count_insert", "posts_count_delete", "posts_count_update", "follows_count_insert",
                "follows_count_delete", "follows_count_update"]

POSTGRESQL_FUNCTIONS = [
    """CREATE FUNCTION muralist_count_posts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.visibility <> 'direct' THEN
        UPDATE accounts SET statuses_count = statuses_count - 1 WHERE id = OLD.account_id;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.visibility <> 'direct' THEN
        UPDATE accounts SET statuses_count = statuses_count + 1 WHERE id = NEW.account_id;
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE FUNCTION muralist_count_follows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.state = 'accepted' THEN
        UPDATE accounts SET followers_count = followers_count - 1 WHERE id = OLD.target_account_id;
        UPDATE accounts SET following_count = following_count - 1 WHERE id = OLD.account_id;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.state = 'accepted' THEN
        UPDATE accounts SET followers_count = followers_count + 1 WHERE id = NEW.target_account_id;
        UPDATE accounts SET following_count = following_count + 1 WHERE id = NEW.account_id;
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER posts_count AFTER INSERT OR DELETE OR UPDATE OF visibility, account_id ON posts
         FOR EACH ROW EXECUTE FUNCTION muralist_count_posts()""",
    """CREATE TRIGGER follows_count AFTER INSERT OR DELETE OR UPDATE OF state ON follows
         FOR EACH ROW EXECUTE FUNCTION muralist_count_follows()""",
]


def upgrade() -> None:
    # A plain ADD COLUMN (no table copy): SQLite's batch mode would rebuild `accounts` and
    # lose its expression index on the user name.
    for name in COUNTERS:
        op.add_column('accounts', sa.Column(name, sa.Integer(), nullable=False, server_default='0'))
    op.execute(FILL)
    statements = POSTGRESQL_FUNCTIONS if op.get_bind().dialect.name == 'postgresql' else SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS posts_count ON posts")
        op.execute("DROP TRIGGER IF EXISTS follows_count ON follows")
        op.execute("DROP FUNCTION IF EXISTS muralist_count_posts()")
        op.execute("DROP FUNCTION IF EXISTS muralist_count_follows()")
    else:
        for name in SQLITE_DROPS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('accounts') as batch:
        for name in reversed(COUNTERS):
            batch.drop_column(name)
    if op.get_bind().dialect.name != 'postgresql':
        # The table copy of SQLite's batch mode does not carry the expression index over.
        op.execute("DROP INDEX IF EXISTS uq_accounts_username_domain")
        op.create_index("uq_accounts_username_domain", "accounts",
                        [sa.text("lower(username)"), sa.text("coalesce(domain, '')")], unique=True)
