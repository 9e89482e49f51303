"""The signed Fetcher against a real HTTP server on loopback: signing, limits, redirects,
content types, origin checks, status errors, the SSRF guard and WebFinger."""

import pytest

from activitypub.errors import BlockedAddress, FetchError, FetchStatusError, GoneOrMissing
from activitypub.fetch import Fetcher, split_acct

LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def note(url: str) -> dict:
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": url, "type": "Note",
            "content": "<p>hello</p>"}


async def test_get_is_signed_by_the_instance_actor(remote, fetcher, instance_key):
    url = remote.url("/notes/1")
    remote.add_json("/notes/1", note(url))
    assert await fetcher.get_json(url) == note(url)
    [seen] = remote.seen
    assert seen.signed_by == instance_key.key_id
    assert "application/activity+json" in seen.accept
    assert 'profile="https://www.w3.org/ns/activitystreams"' in seen.accept


async def test_ld_json_with_the_activitystreams_profile_is_accepted(remote, fetcher):
    url = remote.url("/notes/ld")
    remote.add_json("/notes/ld", note(url), content_type=LD_JSON)
    assert (await fetcher.get_json(url))["id"] == url


async def test_plain_json_only_when_asked_for(remote, fetcher):
    url = remote.url("/notes/plain")
    remote.add_json("/notes/plain", note(url), content_type="application/json; charset=utf-8")
    with pytest.raises(FetchError, match="not ActivityStreams"):
        await fetcher.get_json(url)
    assert (await fetcher.get_json(url, accept_any_json=True))["id"] == url


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "application/ld+json", ""])
async def test_other_content_types_are_refused(remote, fetcher, content_type):
    url = remote.url("/page")
    remote.add_json("/page", note(url), content_type=content_type)
    with pytest.raises(FetchError):
        await fetcher.get_json(url, accept_any_json=True)


@pytest.mark.parametrize("body", [b"[1, 2]", b"not json", b'"a string"', b"[" * 100_000])
async def test_only_json_objects_are_accepted(remote, fetcher, body):
    url = remote.add_raw("/odd", body)
    with pytest.raises(FetchError):
        await fetcher.get_json(url)


async def test_a_document_claiming_a_foreign_id_is_refused(remote, fetcher):
    url = remote.add_json("/notes/forged", note("https://victim.example/notes/1"))
    with pytest.raises(FetchError, match="foreign id"):
        await fetcher.get_json(url)


async def test_same_origin_id_is_accepted_and_missing_id_refused(remote, fetcher):
    url = remote.add_json("/@alice/1", note(remote.url("/users/alice/statuses/1")))
    assert (await fetcher.get_json(url))["id"] == remote.url("/users/alice/statuses/1")
    anonymous = remote.add_json("/anonymous", {"type": "Note", "content": "x"})
    with pytest.raises(FetchError, match="no id"):
        await fetcher.get_json(anonymous)


@pytest.mark.parametrize("status", [404, 410])
async def test_gone_and_missing_raise_gone_or_missing(remote, fetcher, status):
    url = remote.add_raw("/users/deleted", b"", status=status)
    with pytest.raises(GoneOrMissing) as caught:
        await fetcher.get_json(url)
    assert caught.value.status == status


async def test_other_errors_carry_their_status(remote, fetcher):
    url = remote.add_raw("/broken", b"oops", status=503)
    with pytest.raises(FetchStatusError) as caught:
        await fetcher.get_json(url)
    assert caught.value.status == 503 and not isinstance(caught.value, GoneOrMissing)


async def test_a_declared_oversized_body_is_refused(remote, make_fetcher):
    fetcher = make_fetcher(max_bytes=4096)
    url = remote.url("/big")
    remote.add_json("/big", note(url) | {"content": "x" * 8000})
    with pytest.raises(FetchError, match="limit"):
        await fetcher.get_json(url)


async def test_an_endless_streamed_body_is_cut_off(remote, fetcher):
    # 64 chunks of 64 KiB without Content-Length: 4 MiB against the 1 MiB default.
    url = remote.add_raw("/stream", b"x" * 65536, stream_chunks=64)
    with pytest.raises(FetchError, match="limit"):
        await fetcher.get_json(url)


async def test_total_time_is_limited(remote, make_fetcher):
    fetcher = make_fetcher(timeout=0.3)
    url = remote.url("/slow")
    remote.add_json("/slow", note(url))
    remote.routes["/slow"].delay = 5
    with pytest.raises(FetchError, match="longer than"):
        await fetcher.get_json(url)


async def test_redirects_are_followed_and_every_hop_is_signed(remote, fetcher, instance_key):
    target = remote.url("/notes/final")
    remote.add_json("/notes/final", note(target))
    remote.add_redirect("/r3", "/notes/final", 308)
    remote.add_redirect("/r2", remote.url("/r3"), 301)
    remote.add_redirect("/r1", "/r2", 302)
    assert (await fetcher.get_json(remote.url("/r1")))["id"] == target
    assert remote.paths() == ["/r1", "/r2", "/r3", "/notes/final"]
    assert all(seen.signed_by == instance_key.key_id for seen in remote.seen)


async def test_more_than_three_redirects_are_refused(remote, fetcher):
    for hop in range(4):
        remote.add_redirect(f"/loop{hop}", f"/loop{hop + 1}")
    remote.add_json("/loop4", note(remote.url("/loop4")))
    with pytest.raises(FetchError, match="redirects"):
        await fetcher.get_json(remote.url("/loop0"))
    assert len(remote.seen) == 4


async def test_a_redirect_to_a_non_http_url_is_refused(remote, fetcher):
    remote.add_redirect("/to-file", "file:///etc/passwd")
    with pytest.raises(FetchError, match="not an http"):
        await fetcher.get_json(remote.url("/to-file"))


@pytest.mark.parametrize("location", [
    "http://10.0.0.1/admin", "http://127.0.0.1:{port}/secret",
    "http://localhost:{port}/secret", "http://[::1]:{port}/secret",
])
async def test_each_redirect_hop_passes_the_ssrf_guard(remote, fake_dns, make_fetcher, location):
    # "public.example" stands for a public server (the session lets it reach loopback);
    # the Fetcher itself is configured for production, so every hop must pass check_url.
    fake_dns["public.example"] = "127.0.0.1"
    fetcher = make_fetcher(allow_private=False, session_allows_private=True)
    remote.add_redirect("/hop", location.format(port=remote.port))
    remote.add_json("/secret", note(remote.url("/secret")))
    with pytest.raises(BlockedAddress):
        await fetcher.get_json(f"http://public.example:{remote.port}/hop")
    assert remote.paths() == ["/hop"]
    assert remote.seen[0].host == f"public.example:{remote.port}"


BLOCKED = [
    "http://127.0.0.1:{port}/doc",
    "http://localhost:{port}/doc",
    "http://localhost.:{port}/doc",
    "http://10.0.0.1/doc",
    "http://[::1]:{port}/doc",
    "http://[::ffff:127.0.0.1]:{port}/doc",
    "http://rebind.example:{port}/doc",
]


@pytest.mark.parametrize("template", BLOCKED)
async def test_private_targets_are_refused_before_any_request(remote, fake_dns, make_fetcher,
                                                              template):
    fake_dns["rebind.example"] = "127.0.0.1"
    remote.add_json("/doc", note(remote.url("/doc")))
    fetcher = make_fetcher(allow_private=False)
    with pytest.raises(BlockedAddress):
        await fetcher.get_json(template.format(port=remote.port))
    assert remote.seen == []


async def test_the_same_name_is_fetched_when_private_addresses_are_allowed(
        remote, fake_dns, make_fetcher, instance_key):
    # The control for the test above: the static DNS entry works, only the guard refused it.
    fake_dns["rebind.example"] = "127.0.0.1"
    url = f"http://rebind.example:{remote.port}/doc"
    remote.add_json("/doc", note(url))
    assert (await make_fetcher(allow_private=True).get_json(url))["id"] == url
    assert remote.seen[0].signed_by == instance_key.key_id


def jrd(subject: str, links: list) -> dict:
    return {"subject": subject, "aliases": [], "links": links}


async def test_webfinger_picks_the_activitypub_self_link(remote, fetcher, instance_key):
    actor = remote.url("/users/alice")
    resource = f"acct:alice@{remote.host}"
    remote.add_json(f"/.well-known/webfinger?resource={resource}", jrd(resource, [
        {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
         "href": remote.url("/@alice")},
        {"rel": "self", "type": "text/html", "href": remote.url("/@alice")},
        {"rel": "self", "type": "application/activity+json", "href": actor},
    ]), content_type="application/jrd+json; charset=utf-8")
    assert await fetcher.webfinger(f"alice@{remote.host}") == actor
    assert await fetcher.webfinger(f"@alice@{remote.host}") == actor
    assert remote.seen[0].path == f"/.well-known/webfinger?resource={resource}"
    assert remote.seen[0].signed_by == instance_key.key_id


async def test_webfinger_accepts_the_ld_json_link_type(remote, fetcher):
    resource = f"acct:bob@{remote.host}"
    remote.add_json(f"/.well-known/webfinger?resource={resource}", jrd(resource, [
        {"rel": "self", "type": LD_JSON, "href": remote.url("/u/bob")},
    ]), content_type="application/json")
    assert await fetcher.webfinger(f"acct:bob@{remote.host}") == remote.url("/u/bob")


async def test_webfinger_without_an_actor_link_fails(remote, fetcher):
    resource = f"acct:carol@{remote.host}"
    remote.add_json(f"/.well-known/webfinger?resource={resource}", jrd(resource, [
        {"rel": "self", "type": "text/html", "href": remote.url("/@carol")},
    ]), content_type="application/jrd+json")
    with pytest.raises(FetchError, match="no ActivityPub actor"):
        await fetcher.webfinger(f"carol@{remote.host}")
    with pytest.raises(GoneOrMissing):
        await fetcher.webfinger(f"nobody@{remote.host}")


@pytest.mark.parametrize("acct", ["alice", "@example.org", "alice@", "alice@host/path"])
def test_malformed_acct_is_refused(acct):
    with pytest.raises(FetchError):
        split_acct(acct)


def test_webfinger_scheme_defaults_to_https():
    fetcher = Fetcher(session=None, key_id="https://node.test/actor#main-key", private_key_pem="")
    assert fetcher.scheme == "https" and fetcher.allow_private is False
    with pytest.raises(ValueError):
        Fetcher(session=None, key_id=fetcher.key_id, private_key_pem="", scheme="ftp")
