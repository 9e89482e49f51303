"""Real rows for the fuzzer to aim at, made through the client API and the inbox as real clients
and servers make them: three users with tokens of every scope, posts with media, a reply, a
quote, a favourite, a boost, a bookmark, a follow request, a generation job, notifications, a
remote account with a post, an app token that may register accounts, and an OAuth form and code.

Each value is kept in `node.seeds` under the kind of path or body parameter it fills.
"""

import re
from html import unescape

from tests.conftest import create_user

from .live import AS2, PASSWORD, PKCE_CHALLENGE, PUBLIC, FuzzNode, png_bytes

ALL_SCOPES = "read write follow push profile admin:read admin:write"
OOB = "urn:ietf:wg:oauth:2.0:oob"
CONTEXT = "https://www.w3.org/ns/activitystreams"


def seed_node(node: FuzzNode) -> None:
    me = _users(node)
    posts = _posts(node)
    _interactions(node, me, posts)
    _remote(node)
    node.settle()
    notifications = node.api("GET", "/api/v1/notifications", node.tokens["alice"]).json()
    node.seeds.add("notification", *(n["id"] for n in notifications))
    _quote_authorization(node, posts["quote"])
    _oauth(node)
    node.errors.take()


def _users(node: FuzzNode) -> dict[str, dict]:
    for name in ("alice", "bob", "carol"):
        node.loop.run(create_user(node.app, name, password=PASSWORD, admin=name == "alice"))
        node.tokens[name] = password_token(node, name)
    node.seeds.add("username", "alice", "bob", "carol")
    me = {name: node.api("GET", "/api/v1/accounts/verify_credentials", token).json()
          for name, token in node.tokens.items()}
    node.seeds.add("account", *(account["id"] for account in me.values()))
    return me


def password_token(node: FuzzNode, name: str) -> str:
    app = node.api("POST", "/api/v1/apps", data={"client_name": "fuzz", "redirect_uris": OOB,
                                                  "scopes": ALL_SCOPES}).json()
    node.seeds.add("client_id", app["client_id"])
    node.seeds.add("client_secret", app["client_secret"])
    token = node.api("POST", "/oauth/token", data={
        "grant_type": "password", "username": f"{name}@example.org", "password": PASSWORD,
        "client_id": app["client_id"], "client_secret": app["client_secret"], "scope": ALL_SCOPES,
    }).json()
    return token["access_token"]


def _posts(node: FuzzNode) -> dict[str, dict]:
    alice, bob, carol = (node.tokens[name] for name in ("alice", "bob", "carol"))
    media = node.api("POST", "/api/v2/media", alice, files={"file": ("a.png", png_bytes(), "image/png")},
                     data={"description": "a square"}).json()
    node.seeds.add("media", media["id"])
    node.seeds.add("media_path", *(media[key].split("/media/", 1)[1] for key in ("url", "preview_url")
                                   if media.get(key) and "/media/" in media[key]))
    posts = {
        "first": (alice, {"status": "a mural at dusk #murals", "media_ids": [media["id"]]}),
        "second": (bob, {"status": "hello @alice"}),
        "private": (carol, {"status": "only followers", "visibility": "private"}),
    }
    made = {key: node.api("POST", "/api/v1/statuses", token, json=body).json() for key, (token, body) in posts.items()}
    first = made["first"]["id"]
    made["reply"] = node.api("POST", "/api/v1/statuses", bob, json={"status": "@alice lovely",
                                                                   "in_reply_to_id": first}).json()
    made["quote"] = node.api("POST", "/api/v1/statuses", bob, json={"status": "look at this",
                                                                   "quoted_status_id": first}).json()
    node.seeds.add("status", *(status["id"] for status in made.values()))
    node.seeds.add("hashtag", "murals")
    # Whole paths whose parameters must belong together (an author and her post).
    for status in made.values():
        author = status["account"]["username"]
        node.seeds.add("path", f"/users/{author}/statuses/{status['id']}",
                       f"/users/{author}/statuses/{status['id']}/activity", f"/@{author}/{status['id']}")
    node.seeds.add("path", f"/api/v1/statuses/{first}/quotes/{made['quote']['id']}/revoke")
    return made


def _interactions(node: FuzzNode, me: dict, posts: dict) -> None:
    alice, bob, carol = (node.tokens[name] for name in ("alice", "bob", "carol"))
    node.api("POST", f"/api/v1/statuses/{posts['first']['id']}/favourite", bob)
    node.api("POST", f"/api/v1/statuses/{posts['second']['id']}/reblog", carol)
    node.api("POST", f"/api/v1/statuses/{posts['first']['id']}/bookmark", alice)
    node.api("PATCH", "/api/v1/accounts/update_credentials", alice, data={"locked": "true"})
    node.api("POST", f"/api/v1/accounts/{me['alice']['id']}/follow", carol)  # a follow request
    node.api("POST", f"/api/v1/accounts/{me['bob']['id']}/follow", alice)
    job = node.api("POST", "/api/v1/generations", alice,
                   json={"prompt": "a lighthouse", "size": "64x64", "style": "watercolor"}).json()
    node.seeds.add("generation", job["id"])


def _remote(node: FuzzNode) -> None:
    """The peer's actor follows alice and posts to her, as a real server would."""
    actor, base = node.peer_actor, node.peer.base
    alice_uri = f"{node.base_url}/users/alice"
    node.sign_and_send("/users/alice/inbox", {"@context": CONTEXT, "id": f"{base}/follows/1", "type": "Follow",
                                              "actor": actor.uri, "object": alice_uri})
    note = {"id": f"{base}/notes/1", "type": "Note", "attributedTo": actor.uri, "content": "<p>hi @alice</p>",
            "to": [PUBLIC], "cc": [alice_uri], "published": "2026-01-02T03:04:05Z", "url": f"{base}/notes/1",
            "tag": [{"type": "Mention", "href": alice_uri, "name": "@alice"}]}
    node.peer.objects[note["id"]] = note
    node.sign_and_send("/inbox", {"@context": CONTEXT, "id": f"{base}/creates/1", "type": "Create",
                                  "actor": actor.uri, "object": note, "to": [PUBLIC], "cc": [alice_uri]})
    node.settle()
    alice = node.tokens["alice"]
    remote = node.api("GET", "/api/v1/accounts/lookup", alice,
                      params={"acct": f"fuzzer@{base.split('//', 1)[1]}"}).json()
    node.seeds.add("account", remote["id"])
    statuses = node.api("GET", f"/api/v1/accounts/{remote['id']}/statuses", alice).json()
    node.seeds.add("status", *(status["id"] for status in statuses))


def _quote_authorization(node: FuzzNode, quote: dict) -> None:
    note = node.api("GET", f"/users/bob/statuses/{quote['id']}", headers={"Accept": AS2}).json()
    stamp = note.get("quoteAuthorization") or ""
    if "/quote_authorizations/" in stamp:
        node.seeds.add("quote_authorization", stamp.rsplit("/", 1)[1])
        node.seeds.add("path", stamp.removeprefix(node.base_url))


def _oauth(node: FuzzNode) -> None:
    """An app token that may register accounts, the authorize form with its cookie, and an
    authorization code (PKCE with RFC 7636 appendix B's pair) nobody has exchanged yet."""
    client_id, secret = node.seeds.of("client_id")[0], node.seeds.of("client_secret")[0]
    node.app_token = node.api("POST", "/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
        "scope": "read write:accounts"}).json()["access_token"]
    query = {"client_id": client_id, "redirect_uri": OOB, "response_type": "code", "scope": "read write",
             "state": "s1", "code_challenge": PKCE_CHALLENGE, "code_challenge_method": "S256"}
    node.http.cookies.clear()
    page = node.api("GET", "/oauth/authorize", params=query)
    node.authorize_cookie = "; ".join(f"{cookie.name}={cookie.value}" for cookie in node.http.cookies)
    hidden = re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page.text)
    node.authorize_form = {unescape(k): unescape(v) for k, v in hidden} | {
        "login": "alice@example.org", "password": PASSWORD, "decision": "approve"}
    granted = node.api("POST", "/oauth/authorize", data=node.authorize_form)
    node.authorization_code = unescape(re.search(r'id="authorization-code"[^>]*>([^<]+)<', granted.text)[1])
    # Fuzzed requests carry the form's cookie only where a template says so.
    node.http.cookies.clear()
