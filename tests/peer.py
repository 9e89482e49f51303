"""A stand-in remote server for inbox tests: it serves actor documents with real keys, records
what is delivered to its inboxes, and sends signed activities to a node like a peer would."""

import asyncio
import json
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from activitypub.keys import generate_rsa_keypair
from activitypub.signatures import sign_request, verify_request, PublicKeyInfo

from tests.nodes import free_port

AS2 = "application/activity+json"


@dataclass
class PeerActor:
    username: str
    base: str
    private_pem: str
    public_pem: str
    extra: dict = field(default_factory=dict)

    @property
    def uri(self) -> str:
        return f"{self.base}/users/{self.username}"

    @property
    def key_id(self) -> str:
        return f"{self.uri}#main-key"

    def document(self) -> dict:
        doc = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.uri, "type": "Person", "preferredUsername": self.username, "name": self.username.title(),
            "inbox": f"{self.uri}/inbox", "outbox": f"{self.uri}/outbox",
            "followers": f"{self.uri}/followers", "following": f"{self.uri}/following",
            "endpoints": {"sharedInbox": f"{self.base}/inbox"}, "url": f"{self.base}/@{self.username}",
            "publicKey": {"id": self.key_id, "owner": self.uri, "publicKeyPem": self.public_pem},
        }
        doc.update(self.extra)
        return doc


class Peer:
    """One fake remote server on a loopback port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.actors: dict[str, PeerActor] = {}
        self.objects: dict[str, dict] = {}
        self.key_cache: dict = {}
        self.received: list[dict] = []
        self.deliveries: list[tuple[str, str]] = []
        self.inbox_status = 202
        self.inbox_headers: dict = {}
        self.inbox_delay = 0.0
        self._runner = None

    async def start(self) -> "Peer":
        app = web.Application()
        app.router.add_get("/users/{name}", self._actor)
        app.router.add_post("/users/{name}/inbox", self._inbox)
        app.router.add_post("/boxes/{name}/inbox", self._inbox)
        app.router.add_post("/inbox", self._inbox)
        app.router.add_get("/{tail:.*}", self._object)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def close(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def add_actor(self, username: str, **extra) -> PeerActor:
        private_pem, public_pem = generate_rsa_keypair()
        actor = PeerActor(username, self.base, private_pem, public_pem, extra)
        self.actors[username] = actor
        return actor

    async def _actor(self, request: web.Request) -> web.Response:
        actor = self.actors.get(request.match_info["name"])
        if actor is None:
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response(actor.document(), content_type=AS2)

    async def _object(self, request: web.Request) -> web.Response:
        document = self.objects.get(f"{self.base}{request.path}")
        if document is None:
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response(document, content_type=AS2)

    async def _inbox(self, request: web.Request) -> web.Response:
        body = await request.read()

        async def get_key(key_id, refresh=False):
            if key_id in self.key_cache and not refresh:
                return self.key_cache[key_id]
            async with aiohttp.ClientSession() as http:
                async with http.get(key_id.split("#")[0], headers={"Accept": AS2}) as response:
                    doc = await response.json(content_type=None)
            info = PublicKeyInfo(doc["publicKey"]["id"], doc["id"], doc["publicKey"]["publicKeyPem"])
            self.key_cache[key_id] = info
            return info

        verified = await verify_request("POST", request.path_qs, request.headers, body, get_key, scheme="http")
        activity = json.loads(body)
        assert verified.owner_uri == activity["actor"], "delivery signed by someone else"
        if self.inbox_delay:
            await asyncio.sleep(self.inbox_delay)
        self.received.append(activity)
        self.deliveries.append((request.path, activity.get("id")))
        return web.Response(status=self.inbox_status, headers=self.inbox_headers)

    async def send(self, actor: PeerActor, inbox_url: str, activity: dict, *, key_id: str | None = None,
                   private_pem: str | None = None, tamper=None) -> aiohttp.ClientResponse:
        """POST a signed activity to a node's inbox and return the status and text."""
        body = json.dumps(activity).encode()
        headers = sign_request("POST", inbox_url, {"Content-Type": AS2}, body, key_id or actor.key_id,
                               private_pem or actor.private_pem)
        if tamper is not None:
            body, headers = tamper(body, headers)
        async with aiohttp.ClientSession() as http:
            async with http.post(inbox_url, data=body, headers=headers) as response:
                await response.read()
                return response
