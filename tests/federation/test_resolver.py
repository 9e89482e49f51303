"""Actor parsing on real-world shapes, the actor cache, and the key getter the signature
verifier uses (fragment and fragmentless keyIds, GoToSocial key stubs, key rotation)."""

import asyncio
from datetime import timedelta
from email.utils import formatdate

import pytest
from sqlalchemy import select

from activitypub.errors import FetchError, GoneOrMissing, InvalidActivity, SignatureError
from activitypub.key_lookup import make_key_getter
from activitypub.resolver import actor_to_account_fields, resolve_actor, resolve_object
from activitypub.signatures import sign_request, verify_request
from storage.db import create_engine, create_sessionmaker
from storage.models import Account
from storage.repositories import accounts as account_repo
from tests.barrier import fetch_together

BASE = "https://social.example"


@pytest.fixture
async def sessionmaker(database_url):
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


# --- parsing ---------------------------------------------------------------------

def test_mastodon_actor(keys, shapes):
    fields = actor_to_account_fields(shapes.mastodon(BASE))
    assert fields["actor_uri"] == f"{BASE}/users/alice" and fields["username"] == "alice"
    assert fields["domain"] == "social.example" and fields["actor_type"] == "Person"
    assert fields["shared_inbox_uri"] == f"{BASE}/inbox"
    assert fields["featured_uri"] == f"{BASE}/users/alice/collections/featured"
    assert fields["public_key_id"] == f"{BASE}/users/alice#main-key"
    assert fields["public_key_pem"] == keys.public.strip()
    assert fields["avatar_uri"] == f"{BASE}/avatars/alice.png"
    assert fields["header_uri"] == f"{BASE}/headers/alice.jpg"
    assert fields["url"] == f"{BASE}/@alice"
    assert fields["discoverable"] and fields["indexable"] and not fields["locked"] and not fields["bot"]
    assert fields["created_at"].isoformat() == "2023-01-02T00:00:00+00:00"
    assert "<script" not in fields["note"] and "owned" not in fields["note"]
    assert "javascript" not in fields["note"] and fields["note"].startswith("<p>Painter.")
    [website] = fields["fields"]
    assert website["name"] == "Website"
    assert 'href="https://alice.example"' in website["value"] and "target" not in website["value"]


def test_pixelfed_actor(shapes):
    fields = actor_to_account_fields(shapes.pixelfed(BASE))
    assert fields["username"] == "bob" and fields["locked"] is True
    assert fields["discoverable"] is False  # missing means no, as Mastodon reads it
    assert fields["avatar_uri"] == f"{BASE}/storage/avatars/bob.jpg" and fields["header_uri"] is None
    assert fields["created_at"].year == 2021 and fields["followers_uri"] == f"{BASE}/users/bob/followers"
    assert fields["note"] == "Photographer" and fields["featured_uri"] is None


def test_gotosocial_actor(shapes):
    fields = actor_to_account_fields(shapes.gotosocial(BASE))
    assert fields["public_key_id"] == f"{BASE}/users/carol/main-key"
    assert fields["shared_inbox_uri"] is None and fields["fields"] == []
    assert "created_at" not in fields


def test_misskey_service_actor_is_a_bot(shapes):
    fields = actor_to_account_fields(shapes.misskey(BASE))
    assert fields["actor_type"] == "Service" and fields["bot"] is True
    assert fields["username"] == "dave" and fields["display_name"] == ""
    assert fields["avatar_uri"] == f"{BASE}/files/avatar.webp" and fields["header_uri"] is None


def test_unusual_shapes(shapes):
    fields = actor_to_account_fields(shapes.odd(BASE))
    assert fields["inbox_uri"] == f"{BASE}/people/erin/inbox"
    assert fields["url"] == f"{BASE}/~erin"
    assert fields["public_key_id"] == f"{BASE}/people/erin#key-1"  # the one the actor owns
    assert fields["avatar_uri"] == f"{BASE}/i/erin.png"
    assert fields["header_uri"] == f"{BASE}/i/erin-header.png"
    assert fields["display_name"] == "Erin <b>Bold</b>"  # plain text, escaped when shown
    assert "created_at" not in fields


def test_strings_are_size_limited(shapes):
    document = shapes.mastodon(BASE) | {
        "name": "n" * 100_000, "summary": "<p>" + "s" * 100_000 + "</p>",
        "icon": {"type": "Image", "url": f"{BASE}/" + "a" * 5000},
        "attachment": [{"type": "PropertyValue", "name": f"f{i}", "value": "v" * 9999}
                       for i in range(50)],
    }
    fields = actor_to_account_fields(document)
    assert len(fields["display_name"]) <= 500 and len(fields["note"]) <= 20_100
    assert fields["avatar_uri"] is None
    assert len(fields["fields"]) == 16 and all(len(f["value"]) <= 2048 for f in fields["fields"])


def test_a_key_on_another_host_is_ignored(shapes):
    document = shapes.mastodon(BASE)
    document["publicKey"]["id"] = "https://victim.example/users/v#main-key"
    fields = actor_to_account_fields(document)
    assert fields["public_key_id"] is None and fields["public_key_pem"] is None


@pytest.mark.parametrize("missing", ["id", "inbox"])
def test_required_parts(shapes, missing):
    document = shapes.mastodon(BASE)
    del document[missing]
    with pytest.raises(InvalidActivity):
        actor_to_account_fields(document)


def test_an_actor_without_preferred_username_gets_a_stand_in_name(shapes):
    document = shapes.mastodon(BASE)
    del document["preferredUsername"]
    first = actor_to_account_fields(document)["username"]
    other = actor_to_account_fields(document | {"id": BASE + "/users/someone-else"})["username"]
    assert first.startswith("alice_") and first != other


def test_non_actor_types_are_refused(shapes):
    with pytest.raises(InvalidActivity):
        actor_to_account_fields(shapes.mastodon(BASE) | {"type": "Note"})
    with pytest.raises(InvalidActivity):
        actor_to_account_fields(shapes.mastodon(BASE) | {"preferredUsername": "x" * 300})


# --- resolving actors ----------------------------------------------------------------

async def test_resolve_fetches_once_then_uses_the_cache(keys, remote, fetcher, sessionmaker,
                                                        shapes):
    url = remote.add_json("/users/alice", shapes.mastodon(remote.base))
    async with sessionmaker() as session:
        account = await resolve_actor(session, fetcher, url)
        assert account.domain == remote.host and account.acct == f"alice@{remote.host}"
        assert account.fetched_at is not None
        await session.commit()
    async with sessionmaker() as session:
        again = await resolve_actor(session, fetcher, url)
    assert again.id == account.id and again.public_key_pem == keys.public.strip()
    assert remote.paths() == ["/users/alice"]


async def test_refresh_and_max_age_refetch(remote, fetcher, sessionmaker, shapes):
    url = remote.add_json("/users/alice", shapes.mastodon(remote.base))
    async with sessionmaker() as session:
        first = await resolve_actor(session, fetcher, url)
        remote.add_json("/users/alice", shapes.mastodon(remote.base) | {"name": "Alice Renamed"})
        assert (await resolve_actor(session, fetcher, url)).display_name == "Alice :blobcat:"
        assert (await resolve_actor(session, fetcher, url, refresh=True)).display_name == "Alice Renamed"
        stale = await resolve_actor(session, fetcher, url, max_age=timedelta(0))
    assert stale.id == first.id and len(remote.seen) == 3


async def test_rows_are_flushed_not_committed(remote, fetcher, sessionmaker, shapes):
    url = remote.add_json("/users/bob", shapes.pixelfed(remote.base))
    async with sessionmaker() as session:
        await resolve_actor(session, fetcher, url)
        await session.rollback()
        assert await account_repo.get_account_by_uri(session, url) is None


async def test_local_accounts_are_never_fetched(remote, fetcher, sessionmaker):
    local_uri = remote.url("/users/me")
    async with sessionmaker() as session:
        session.add(Account(username="me", domain=None, actor_uri=local_uri))
        await session.flush()
        assert (await resolve_actor(session, fetcher, local_uri, refresh=True)).is_local
        with pytest.raises(FetchError):
            await resolve_actor(session, fetcher, remote.url("/users/ghost"),
                                local_domain=remote.host)
    assert remote.seen == []


async def test_an_actor_served_under_another_url_of_its_server(remote, fetcher, sessionmaker, shapes):
    url = remote.add_json("/@alice", shapes.mastodon(remote.base))
    async with sessionmaker() as session:
        account = await resolve_actor(session, fetcher, url)
    assert account.actor_uri == remote.url("/users/alice")


async def test_an_actor_from_another_server_is_refused(remote, fake_dns, make_fetcher, sessionmaker,
                                                      shapes):
    # A redirect to another host serves a self-consistent actor; it still does not
    # answer for the URI we asked about.
    fake_dns["public.example"] = "127.0.0.1"
    remote.add_json("/users/alice", shapes.mastodon(remote.base))
    remote.add_redirect("/users/mallory", remote.url("/users/alice"))
    async with sessionmaker() as session:
        with pytest.raises(InvalidActivity, match="another server"):
            await resolve_actor(session, make_fetcher(),
                                f"http://public.example:{remote.port}/users/mallory")


async def test_a_moved_actor_updates_the_row_with_its_name(remote, fetcher, sessionmaker, shapes):
    async with sessionmaker() as session:
        old = Account(username="alice", domain=remote.host, actor_uri=remote.url("/accounts/1"))
        session.add(old)
        await session.flush()
        url = remote.add_json("/users/alice", shapes.mastodon(remote.base))
        account = await resolve_actor(session, fetcher, url)
        assert account.id == old.id and account.actor_uri == url


async def test_a_rename_onto_a_stale_name_keeps_the_old_name(remote, fetcher, sessionmaker, shapes):
    async with sessionmaker() as session:
        session.add(Account(username="bob", domain=remote.host, actor_uri=remote.url("/accounts/7")))
        url = remote.add_json("/users/alice", shapes.mastodon(remote.base))
        account = await resolve_actor(session, fetcher, url)
        remote.add_json("/users/alice", shapes.mastodon(remote.base) | {"preferredUsername": "bob"})
        again = await resolve_actor(session, fetcher, url, refresh=True)
        assert again.id == account.id and again.username == "alice"


async def test_gone_actors_raise(remote, fetcher, sessionmaker):
    url = remote.add_raw("/users/deleted", b"", status=410)
    async with sessionmaker() as session:
        with pytest.raises(GoneOrMissing):
            await resolve_actor(session, fetcher, url)


async def test_resolve_object(remote, fetcher):
    url = remote.url("/notes/1")
    remote.add_json("/notes/1", {"id": url, "type": "Note", "content": "hi"})
    assert (await resolve_object(fetcher, url))["content"] == "hi"
    forged = remote.add_json("/notes/2", {"id": "https://other.example/notes/2", "type": "Note"})
    with pytest.raises(FetchError):
        await resolve_object(fetcher, forged)


# --- the key getter ------------------------------------------------------------------

async def test_key_with_fragment(keys, remote, fetcher, sessionmaker, shapes):
    actor = remote.add_json("/users/alice", shapes.mastodon(remote.base))
    get_key = make_key_getter(sessionmaker, fetcher)
    info = await get_key(f"{actor}#main-key", refresh=False)
    assert info.owner_uri == actor and info.public_key_pem == keys.public.strip()
    assert (await get_key(f"{actor}#main-key", refresh=False)) == info
    assert remote.paths() == ["/users/alice"]
    async with sessionmaker() as session:  # committed by the getter
        assert (await account_repo.get_account_by_uri(session, actor)).public_key_pem


async def test_a_new_key_looked_up_twice_at_once(keys, remote, fetcher, sessionmaker, shapes):
    """Two deliveries from a server met for the first time, verified at once (two getters, as
    in two processes): both fetch the actor before either stores it; the one that loses the
    insert reads the row the other stored instead of failing."""
    actor = remote.add_json("/users/alice", shapes.mastodon(remote.base))
    arrived = fetch_together(fetcher)
    first, second = await asyncio.gather(
        *(make_key_getter(sessionmaker, fetcher)(f"{actor}#main-key", refresh=False) for _ in range(2)))
    assert len(arrived) == 2
    assert first == second and first.owner_uri == actor and first.public_key_pem == keys.public.strip()
    async with sessionmaker() as session:
        rows = (await session.execute(select(Account).where(Account.actor_uri == actor))).scalars().all()
    assert len(rows) == 1


async def test_key_without_fragment_names_the_actor(remote, fetcher, sessionmaker, shapes):
    actor = remote.add_json("/users/alice", shapes.mastodon(remote.base))
    get_key = make_key_getter(sessionmaker, fetcher)
    info = await get_key(actor, refresh=False)
    assert info.key_id == actor and info.owner_uri == actor
    assert (await get_key(actor, refresh=False)).public_key_pem == info.public_key_pem
    assert len(remote.seen) == 1


async def test_gotosocial_key_stub(keys, remote, fetcher, sessionmaker, shapes):
    key_id = remote.add_json("/users/carol/main-key", shapes.gotosocial_key_stub(remote.base))
    actor = remote.add_json("/users/carol", shapes.gotosocial(remote.base))
    get_key = make_key_getter(sessionmaker, fetcher)
    info = await get_key(key_id, refresh=False)
    assert info.owner_uri == actor and info.public_key_pem == keys.public.strip()
    assert remote.paths() == ["/users/carol/main-key", "/users/carol"]
    await get_key(key_id, refresh=False)
    assert len(remote.seen) == 2


async def test_key_stub_naming_an_owner_elsewhere_is_refused(remote, fetcher, sessionmaker, shapes):
    stub = shapes.gotosocial_key_stub(remote.base)
    stub["publicKey"]["owner"] = "https://victim.example/users/v"
    key_id = remote.add_json("/users/carol/main-key", stub)
    with pytest.raises(SignatureError):
        await make_key_getter(sessionmaker, fetcher)(key_id, refresh=False)


async def test_unknown_and_unpublished_keys(remote, fetcher, sessionmaker, shapes):
    actor = remote.add_json("/users/alice", shapes.mastodon(remote.base))
    get_key = make_key_getter(sessionmaker, fetcher)
    with pytest.raises(SignatureError):
        await get_key(remote.url("/users/nobody#main-key"), refresh=False)
    with pytest.raises(SignatureError, match="does not publish"):
        await get_key(f"{actor}#other-key", refresh=False)


async def test_key_rotation(keys, remote, fetcher, sessionmaker, shapes):
    actor = remote.add_json("/users/alice", shapes.mastodon(remote.base))
    get_key = make_key_getter(sessionmaker, fetcher)
    key_id = f"{actor}#main-key"
    assert (await get_key(key_id, refresh=False)).public_key_pem == keys.public.strip()
    remote.add_json("/users/alice", shapes.mastodon(remote.base, pem=keys.rotated_public))
    assert (await get_key(key_id, refresh=False)).public_key_pem == keys.public.strip()
    assert (await get_key(key_id, refresh=True)).public_key_pem == keys.rotated_public.strip()
    assert (await get_key(key_id, refresh=False)).public_key_pem == keys.rotated_public.strip()


async def test_local_keys_come_from_the_database(keys, remote, fetcher, sessionmaker):
    actor = remote.url("/users/me")
    async with sessionmaker() as session:
        session.add(Account(username="me", domain=None, actor_uri=actor,
                            public_key_id=f"{actor}#main-key", public_key_pem=keys.public))
        await session.commit()
    get_key = make_key_getter(sessionmaker, fetcher, local_domain=remote.host)
    assert (await get_key(f"{actor}#main-key", refresh=True)).owner_uri == actor
    with pytest.raises(SignatureError):
        await get_key(remote.url("/users/ghost#main-key"), refresh=False)
    # Even without our domain at hand, a key id pointing into a local actor is never fetched.
    with pytest.raises(SignatureError):
        await make_key_getter(sessionmaker, fetcher)(f"{actor}#other-key", refresh=False)
    assert remote.seen == []


async def test_verifying_a_request_signed_with_a_rotated_key(keys, remote, fetcher, sessionmaker,
                                                             shapes):
    # End to end: the verifier's one refresh picks up the actor's new key.
    actor = remote.add_json("/users/alice", shapes.mastodon(remote.base))
    get_key = make_key_getter(sessionmaker, fetcher)
    body = b'{"type": "Like"}'
    inbox = "https://node.test/inbox"

    async def deliver(private_pem: str):
        headers = sign_request("POST", inbox, {"Date": formatdate(usegmt=True)}, body,
                               f"{actor}#main-key", private_pem)
        return await verify_request("POST", "/inbox", headers, body, get_key)

    assert (await deliver(keys.private)).owner_uri == actor
    remote.add_json("/users/alice", shapes.mastodon(remote.base, pem=keys.rotated_public))
    assert (await deliver(keys.rotated_private)).owner_uri == actor
    assert remote.paths() == ["/users/alice", "/users/alice"]
