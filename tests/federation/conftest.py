"""Fixtures for fetch and resolver tests: a fake remote server on loopback that checks
every request's HTTP signature, a static DNS table, and Fetchers signed by an instance key."""

import asyncio
import json
import socket
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from aiohttp import web

from activitypub import netguard
from activitypub.errors import SignatureError
from activitypub.fetch import Fetcher
from activitypub.keys import generate_rsa_keypair
from activitypub.signatures import PublicKeyInfo, key_id_to_actor_uri, verify_request

INSTANCE_KEY_ID = "http://node.test/actor#main-key"
INSTANCE_PRIVATE, INSTANCE_PUBLIC = generate_rsa_keypair()
AS2 = "application/activity+json"


@dataclass
class Seen:
    """One request the fake remote received, and who (if anyone) validly signed it."""

    path: str
    host: str
    accept: str
    signed_by: str | None


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    stream_chunks: int = 0


class FakeRemote:
    """A remote server: documents by path, redirects, and a log of verified requests."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.base = ""
        self.host = ""
        self.port = 0

    def url(self, path: str) -> str:
        return self.base + path

    def add_json(self, path: str, document, *, status: int = 200, content_type: str = AS2) -> str:
        body = json.dumps(document).encode()
        self.routes[path] = Route(status, body, {"Content-Type": content_type})
        return self.url(path)

    def add_raw(self, path: str, body: bytes, *, status: int = 200, content_type: str = AS2,
                **kw) -> str:
        self.routes[path] = Route(status, body, {"Content-Type": content_type}, **kw)
        return self.url(path)

    def add_redirect(self, path: str, location: str, status: int = 302) -> str:
        self.routes[path] = Route(status, b"", {"Location": location})
        return self.url(path)

    def paths(self) -> list[str]:
        return [seen.path for seen in self.seen]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        signer = await _signer(request)
        accept = request.headers.get("Accept", "")
        self.seen.append(Seen(request.path_qs, request.host, accept, signer))
        if signer is None:
            # GoToSocial and Mastodon in authorized-fetch mode answer unsigned reads like this.
            return web.Response(status=401)
        route = self.routes.get(request.path_qs) or self.routes.get(request.path)
        if route is None:
            return web.Response(status=404)
        if route.delay:
            await asyncio.sleep(route.delay)
        if route.stream_chunks:
            return await _stream(request, route)
        return web.Response(status=route.status, body=route.body, headers=route.headers)


async def _stream(request: web.Request, route: Route) -> web.StreamResponse:
    response = web.StreamResponse(status=route.status, headers=route.headers)
    response.enable_chunked_encoding()
    await response.prepare(request)
    try:
        for _ in range(route.stream_chunks):
            await response.write(route.body)
    except (ConnectionError, RuntimeError):
        pass  # the client hung up once it had read enough
    return response


async def _instance_key(key_id: str, refresh: bool = False) -> PublicKeyInfo | None:
    if key_id != INSTANCE_KEY_ID:
        return None
    return PublicKeyInfo(key_id, key_id_to_actor_uri(key_id), INSTANCE_PUBLIC)


async def _signer(request: web.Request) -> str | None:
    try:
        verified = await verify_request(request.method, request.path_qs, request.headers, None,
                                        _instance_key, scheme="http")
    except SignatureError:
        return None
    return verified.key_id


class StaticResolver:
    """Stands in for aiohttp's DefaultResolver: names in `table` resolve to fixed addresses."""

    table: dict[str, str] = {}

    async def resolve(self, host: str, port: int = 0, family: int = 0):
        address = self.table.get(host.rstrip("."))
        if address is None:
            raise OSError(f"unknown host {host}")
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [{"hostname": host, "host": address, "port": port, "family": family,
                 "proto": 0, "flags": 0}]

    async def close(self) -> None:
        pass


@pytest.fixture
def fake_dns(monkeypatch):
    """Names that resolve to loopback, for guard tests; patched before sessions are made."""
    table: dict[str, str] = {}
    monkeypatch.setattr(StaticResolver, "table", table)
    monkeypatch.setattr(netguard, "DefaultResolver", StaticResolver)
    return table


@pytest.fixture
async def remote(aiohttp_server):
    fake = FakeRemote()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", fake.handle)
    server = await aiohttp_server(app)
    fake.host = f"127.0.0.1:{server.port}"
    fake.base = f"http://{fake.host}"
    fake.port = server.port
    return fake


@pytest.fixture
def instance_key() -> PublicKeyInfo:
    """The node's instance actor key that signs every fetch (private part: INSTANCE_PRIVATE)."""
    return PublicKeyInfo(INSTANCE_KEY_ID, key_id_to_actor_uri(INSTANCE_KEY_ID), INSTANCE_PUBLIC)


@pytest.fixture
async def make_fetcher():
    """Fetchers signed by the instance key; `session` overrides the guarded session."""
    made: list[Fetcher] = []

    def factory(allow_private: bool = True, *, session_allows_private: bool | None = None,
                **options) -> Fetcher:
        guard = allow_private if session_allows_private is None else session_allows_private
        fetcher = Fetcher(netguard.guarded_session(guard), key_id=INSTANCE_KEY_ID,
                          private_key_pem=INSTANCE_PRIVATE, allow_private=allow_private,
                          scheme="http", **options)
        made.append(fetcher)
        return fetcher

    yield factory
    for fetcher in made:
        await fetcher.close()


@pytest.fixture
async def fetcher(make_fetcher) -> Fetcher:
    return make_fetcher()


# --- actor documents shaped like the servers we federate with --------------------

REMOTE_PRIVATE, REMOTE_PUBLIC = generate_rsa_keypair()
ROTATED_PRIVATE, ROTATED_PUBLIC = generate_rsa_keypair()
CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]


class ActorShapes:
    """Actor documents modelled on what Mastodon, Pixelfed, GoToSocial and Misskey serve."""

    @staticmethod
    def mastodon(base: str, name: str = "alice", pem: str = REMOTE_PUBLIC) -> dict:
        actor = f"{base}/users/{name}"
        return {
            "@context": CONTEXT + [{"toot": "http://joinmastodon.org/ns#"}],
            "id": actor, "type": "Person", "preferredUsername": name, "name": "Alice :blobcat:",
            "following": f"{actor}/following", "followers": f"{actor}/followers",
            "inbox": f"{actor}/inbox", "outbox": f"{actor}/outbox",
            "featured": f"{actor}/collections/featured",
            "summary": '<p>Painter. <script>alert("owned")</script><a href="javascript:x()">me</a></p>',
            "url": f"{base}/@{name}", "manuallyApprovesFollowers": False,
            "discoverable": True, "indexable": True, "memorial": False,
            "published": "2023-01-02T00:00:00Z",
            "publicKey": {"id": f"{actor}#main-key", "owner": actor, "publicKeyPem": pem},
            "tag": [],
            "attachment": [{
                "type": "PropertyValue", "name": "Website",
                "value": '<a href="https://alice.example" target="_blank" rel="nofollow noopener me" '
                         'translate="no"><span class="invisible">https://</span>'
                         '<span class="">alice.example</span></a>',
            }, {"type": "IdentityProof", "name": "ignored"}],
            "endpoints": {"sharedInbox": f"{base}/inbox"},
            "icon": {"type": "Image", "mediaType": "image/png", "url": f"{base}/avatars/alice.png"},
            "image": {"type": "Image", "mediaType": "image/jpeg", "url": f"{base}/headers/alice.jpg"},
        }

    @staticmethod
    def pixelfed(base: str, name: str = "bob") -> dict:
        actor = f"{base}/users/{name}"
        return {
            "@context": CONTEXT, "id": actor, "type": "Person", "preferredUsername": name,
            "following": f"{actor}/following", "followers": f"{actor}/followers",
            "inbox": f"{actor}/inbox", "outbox": f"{actor}/outbox", "name": "Bob",
            "summary": "Photographer", "url": f"{base}/{name}", "manuallyApprovesFollowers": True,
            "indexable": True, "published": "2021-03-04T05:06:07.000000Z",
            "publicKey": {"id": f"{actor}#main-key", "owner": actor, "publicKeyPem": REMOTE_PUBLIC},
            "icon": {"type": "Image", "mediaType": "image/jpeg", "url": f"{base}/storage/avatars/bob.jpg"},
            "endpoints": {"sharedInbox": f"{base}/f/inbox"},
        }

    @staticmethod
    def gotosocial(base: str, name: str = "carol", pem: str = REMOTE_PUBLIC) -> dict:
        actor = f"{base}/users/{name}"
        return {
            "@context": CONTEXT, "id": actor, "type": "Person", "preferredUsername": name,
            "discoverable": True, "featured": f"{actor}/collections/featured",
            "followers": f"{actor}/followers", "following": f"{actor}/following",
            "inbox": f"{actor}/inbox", "outbox": f"{actor}/outbox", "name": "Carol",
            "manuallyApprovesFollowers": False, "summary": "<p>GoToSocial user</p>",
            "url": f"{base}/@{name}", "tag": [],
            "publicKey": {"id": f"{actor}/main-key", "owner": actor, "publicKeyPem": pem},
        }

    @staticmethod
    def gotosocial_key_stub(base: str, name: str = "carol", pem: str = REMOTE_PUBLIC) -> dict:
        # What GoToSocial serves at a keyId: the actor's id with only name and key.
        actor = f"{base}/users/{name}"
        return {"@context": CONTEXT, "id": actor, "preferredUsername": name, "type": "Person",
                "publicKey": {"id": f"{actor}/main-key", "owner": actor, "publicKeyPem": pem}}

    @staticmethod
    def misskey(base: str, name: str = "dave") -> dict:
        actor = f"{base}/users/9f3kq2xv"
        return {
            "@context": CONTEXT + [{"misskey": "https://misskey-hub.net/ns#"}],
            "type": "Service", "id": actor, "inbox": f"{actor}/inbox", "outbox": f"{actor}/outbox",
            "followers": f"{actor}/followers", "following": f"{actor}/following",
            "featured": f"{actor}/collections/featured", "sharedInbox": f"{base}/inbox",
            "endpoints": {"sharedInbox": f"{base}/inbox"}, "url": f"{base}/@{name}",
            "preferredUsername": name, "name": None, "summary": "<p><span>bot account</span></p>",
            "_misskey_summary": "bot account",
            "icon": {"type": "Image", "url": f"{base}/files/avatar.webp", "sensitive": False, "name": None},
            "image": None, "tag": [], "manuallyApprovesFollowers": False, "discoverable": False,
            "publicKey": {"id": f"{actor}#main-key", "type": "Key", "owner": actor,
                          "publicKeyPem": REMOTE_PUBLIC},
            "isCat": True, "attachment": [],
        }

    @staticmethod
    def odd(base: str, name: str = "erin") -> dict:
        """Legal but unusual shapes: lists everywhere, Link objects, a type array."""
        actor = f"{base}/people/{name}"
        return {
            "@context": CONTEXT, "id": actor, "type": ["Person", "http://schema.org/Person"],
            "preferredUsername": name, "inbox": {"id": f"{actor}/inbox", "type": "OrderedCollection"},
            "nameMap": {"en": "Erin"}, "name": "Erin <b>Bold</b>",
            "url": [{"type": "Link", "mediaType": "application/activity+json", "href": actor},
                    {"type": "Link", "mediaType": "text/html", "href": f"{base}/~{name}"}],
            "publicKey": [
                {"id": f"{base}/people/other#key", "owner": f"{base}/people/other",
                 "publicKeyPem": "WRONG"},
                {"id": f"{actor}#key-1", "owner": actor, "publicKeyPem": REMOTE_PUBLIC},
            ],
            "icon": [{"type": "Image", "url": [{"type": "Link", "href": f"{base}/i/{name}.png"}]},
                     f"{base}/i/{name}-old.png"],
            "image": f"{base}/i/{name}-header.png",
            "published": "not a date",
        }


@pytest.fixture
def shapes() -> type[ActorShapes]:
    return ActorShapes


@pytest.fixture
def keys() -> SimpleNamespace:
    """The remote actors' key pair, and the pair they rotate to."""
    return SimpleNamespace(private=REMOTE_PRIVATE, public=REMOTE_PUBLIC,
                           rotated_private=ROTATED_PRIVATE, rotated_public=ROTATED_PUBLIC)
