"""Requests that succeed, one or a few per route, for the fuzzer to mutate: a random body rarely
holds every field an endpoint needs (a client id, its redirect URI and `response_type=code`), so
without these the search would stop at the first check. Each is sent with fields kept, dropped
or replaced by hostile values, in the query, or as JSON, form or multipart.

Routes without a template are still fuzzed (tests/fuzz/strategies.py); a GET route gets the
paging parameters as its template.
"""

from dataclasses import dataclass, field

from .live import PKCE_CHALLENGE, PKCE_VERIFIER, FuzzNode, png_bytes

PUBLIC_PAGING = {"limit": "2", "max_id": "{status}", "since_id": "{status}", "min_id": "{status}"}


@dataclass(frozen=True)
class Template:
    fields: dict
    headers: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)  # multipart field -> bytes
    token: str = "alice"  # whose bearer token goes with it; "" for the Authorization in `headers`


def _fill(value, node: FuzzNode):
    """Replace "{status}", "{account}", ... with the first seeded value of that kind."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        found = node.seeds.of(value[1:-1])
        return found[0] if found else value
    if isinstance(value, list):
        return [_fill(item, node) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, node) for key, item in value.items()}
    return value


def templates(node: FuzzNode) -> dict[str, list[Template]]:
    """Route name ("METHOD /path") -> requests that succeed on the seeded node."""
    host, base = node.settings.domain, node.base_url
    peer_host = node.peer.base.split("//", 1)[1]
    oob = "urn:ietf:wg:oauth:2.0:oob"
    app_id, app_secret = node.seeds.of("client_id")[0], node.seeds.of("client_secret")[0]
    authorize = {"client_id": app_id, "redirect_uri": oob, "response_type": "code", "scope": "read write",
                 "state": "s1", "code_challenge": PKCE_CHALLENGE, "code_challenge_method": "S256"}
    png = png_bytes()
    found = {
        "GET /.well-known/webfinger": [
            Template({"resource": f"acct:alice@{host}"}), Template({"resource": f"{base}/users/alice"}),
            Template({"resource": f"{base}/"}), Template({"resource": f"acct:fuzzer@{peer_host}", "rel": "self"}),
        ],
        "GET /oauth/authorize": [Template(authorize)],
        "POST /oauth/authorize": [Template(node.authorize_form, headers={"Cookie": node.authorize_cookie}, token="")],
        "POST /oauth/token": [
            Template({"grant_type": "password", "username": "bob@example.org", "password": node.password,
                      "client_id": app_id, "client_secret": app_secret, "scope": "read"}, token=""),
            Template({"grant_type": "client_credentials", "client_id": app_id, "client_secret": app_secret,
                      "scope": "read write:accounts"}, token=""),
            Template({"grant_type": "authorization_code", "code": node.authorization_code, "redirect_uri": oob,
                      "client_id": app_id, "client_secret": app_secret, "code_verifier": PKCE_VERIFIER}, token=""),
        ],
        "POST /oauth/revoke": [Template({"client_id": app_id, "client_secret": app_secret,
                                         "token": node.tokens["carol"]}, token="")],
        "POST /api/v1/apps": [Template({"client_name": "fuzzed app", "redirect_uris": [oob, "http://127.0.0.1/cb"],
                                        "scopes": "read write follow push", "website": "https://example.org"},
                                       token="")],
        "POST /api/v1/accounts": [Template(
            {"username": "newcomer", "email": "newcomer@example.org", "password": "a long enough password",
             "agreement": True, "locale": "en", "reason": "hello"},
            headers={"Authorization": f"Bearer {node.app_token}"}, token="")],
        "POST /api/v1/statuses": [
            Template({"status": "hello #fuzz", "visibility": "public", "spoiler_text": "", "sensitive": False,
                      "language": "en", "in_reply_to_id": "{status}", "quote_approval_policy": "followers"}),
            Template({"status": "quoting", "quoted_status_id": "{status}", "media_ids": ["{media}"]}),
        ],
        "PUT /api/v1/statuses/{id}": [Template(
            {"status": "edited", "spoiler_text": "cw", "sensitive": True, "language": "de", "media_ids": ["{media}"],
             "media_attributes": [{"id": "{media}", "description": "new alt", "focus": "0.1,0.2"}]})],
        "PUT /api/v1/statuses/{id}/interaction_policy": [Template({"quote_approval_policy": "nobody"})],
        "POST /api/v1/media": [Template({"description": "alt", "focus": "0.5,-0.5"}, files={"file": png})],
        "PUT /api/v1/media/{id}": [Template({"description": "alt", "focus": "0.0,1.0"})],
        "POST /api/v1/generations": [Template({"prompt": "a fox", "style": "watercolor", "size": "64x64", "seed": 7,
                                               "remix_of": "{status}"})],
        "PATCH /api/v1/accounts/update_credentials": [Template(
            {"display_name": "Alice", "note": "hi #art", "locked": False, "bot": False, "discoverable": True,
             "fields_attributes": [{"name": "web", "value": "https://example.org"}],
             "source": {"privacy": "public", "sensitive": False, "language": "en", "quote_policy": "followers"}},
            files={"avatar": png, "header": png})],
        "POST /api/v1/markers": [Template({"home": {"last_read_id": "{status}"},
                                           "notifications": {"last_read_id": "{notification}"}})],
        "GET /api/v1/markers": [Template({"timeline": ["home", "notifications"]})],
        "GET /api/v2/search": [
            Template({"q": "alice", "type": "accounts", "resolve": "true", "limit": "5", "offset": "0",
                      "following": "false", "account_id": "{account}"}),
            Template({"q": f"@fuzzer@{peer_host}", "resolve": "true"}),
            Template({"q": f"{node.peer.base}/notes/1", "resolve": "true", "type": "statuses"}),
            Template({"q": "#murals", "type": "hashtags"}),
        ],
        "GET /api/v1/accounts/search": [Template({"q": "al", "resolve": "false", "limit": "2", "following": "true"})],
        "GET /api/v1/accounts/lookup": [Template({"acct": "alice"}), Template({"acct": f"fuzzer@{peer_host}"})],
        "GET /api/v1/accounts/relationships": [Template({"id": node.seeds.of("account"), "with_suspended": "true"})],
        "GET /api/v1/statuses": [Template({"id": node.seeds.of("status")})],
        "POST /api/v1/notifications/dismiss": [Template({"id": "{notification}"})],
        "GET /api/v1/notifications": [Template({"types": ["mention", "favourite"], "exclude_types": ["follow"],
                                                "account_id": "{account}", "limit": "5"})],
        "GET /api/v1/timelines/public": [Template({"local": "true", "remote": "false", "only_media": "false",
                                                   **PUBLIC_PAGING})],
        "GET /api/v1/accounts/{id}/statuses": [Template({"pinned": "false", "tagged": "murals", "only_media": "true",
                                                         "exclude_replies": "true", "exclude_reblogs": "false",
                                                         **PUBLIC_PAGING})],
        "GET /api/v1/streaming": [Template({"stream": "hashtag", "tag": "murals"})],
        "GET *": [Template(PUBLIC_PAGING)],  # any other GET route
    }
    return {route: [Template(_fill(t.fields, node), t.headers, t.files, t.token) for t in items]
            for route, items in found.items()}


def templates_for(table: dict[str, list[Template]], route) -> list[Template]:
    return table.get(str(route)) or (table["GET *"] if route.method == "GET" else [])
