"""Account rows: uniqueness of names per server, local and remote side by side."""

import pytest

from storage.db import create_engine, create_sessionmaker
from storage.errors import Conflict
from storage.models import Account
from storage.repositories import accounts as repo


@pytest.fixture
async def session(database_url):
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


def _account(username, domain=None, uri=None):
    return Account(username=username, domain=domain, actor_uri=uri or f"https://{domain or 'node.test'}/users/{username}")


async def test_username_is_unique_per_server_ignoring_case(session):
    await repo.put_account(session, _account("Alice"))
    await session.commit()
    with pytest.raises(Conflict):
        await repo.put_account(session, _account("alice", uri="https://node.test/users/alice2"))
    # The failed transaction wrote nothing; the session is usable and the first row is in place.
    await repo.put_account(session, _account("alice", domain="remote.example"))
    await session.commit()
    assert (await repo.get_account_by_username(session, "ALICE")).username == "Alice"
    remote = await repo.get_account_by_username(session, "alice", "Remote.Example")
    assert remote is not None and remote.acct == "alice@remote.example"


async def test_actor_uri_is_unique(session):
    await repo.put_account(session, _account("bob", "a.example", uri="https://a.example/u/bob"))
    with pytest.raises(Conflict):
        await repo.put_account(session, _account("robert", "a.example", uri="https://a.example/u/bob"))


async def test_timestamps_come_back_aware(session):
    account = await repo.put_account(session, _account("carol"))
    await session.commit()
    session.expunge_all()
    loaded = await repo.get_account_by_id(session, account.id)
    assert loaded.created_at.tzinfo is not None
    assert loaded.fields == []
