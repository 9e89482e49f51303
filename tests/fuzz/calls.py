"""Whole requests for one route: path values (ids of real rows, hostile segments, whole real
paths), a query string, a body, a token or a mangled one, an Accept header; built either from
scratch (tests/fuzz/strategies.py) or by mutating a request that succeeds (tests/fuzz/templates.py)."""

import json
from dataclasses import dataclass, field

from hypothesis import strategies as st

from .routes import Route, field_names
from .strategies import (
    Body, any_text, bodies, encode, file_contents, form_encode, json_body, json_fields, json_values, multipart,
    pairs, texts, wild_text,
)

@dataclass
class Call:
    method: str
    path: str
    query: str
    headers: dict = field(default_factory=dict)
    body: Body = field(default_factory=lambda: Body(None, None))

    @property
    def url(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")

    def __repr__(self) -> str:
        data = self.body.data if self.body.data is None or len(self.body.data) <= 600 else self.body.data[:600] + b"..."
        return (f"Call({self.method} {self.url[:600]!r}\n  headers={self.headers!r}\n"
                f"  body[{self.body.label}]={data!r})")


# Path values that can never name a row, beside the ids of real ones.
HOSTILE_SEGMENTS = (
    "0", "-1", "1", "9223372036854775807", "9223372036854775808", "99999999999999999999999999",
    "١٢٣", "９", "²", "1.0", "1e3", " 1", "%00", "%ff", "%ED%A0%80", "..", "%2e%2e%2f%2e%2e", "a" * 3000,
    "9" * 3000, "🎨", "null", "undefined", "me", "verify_credentials", "%20", "%2F", "alice%00",
)
SEGMENT_KINDS = {
    "id": ("status", "account", "notification", "media", "generation"),
    # An {id} after one of these segments names that kind of row first.
    "accounts/id": ("account",), "follow_requests/id": ("account",), "statuses/id": ("status",),
    "notifications/id": ("notification",), "media/id": ("media",), "generations/id": ("generation",),
    "post_id": ("status",), "quoting_id": ("status",), "quote_id": ("quote_authorization", "status"),
    "username": ("username",), "hashtag": ("hashtag",), "path": ("media_path",), "version": ("nodeinfo",),
}


def segment_values(name: str, seeds, before: str = "") -> tuple[str, ...]:
    kinds = SEGMENT_KINDS.get(f"{before}/{name}") or SEGMENT_KINDS.get(name, ())
    found = []
    for kind in kinds:
        found += [encode(v) for v in seeds.of(kind)]
    if name == "version":
        found += ["2.0", "2.1", "2.2", "1.0"]
    return tuple(found)


def segments(name: str, seeds, before: str = "") -> st.SearchStrategy[str]:
    real = segment_values(name, seeds, before)
    hostile = st.one_of(st.sampled_from(HOSTILE_SEGMENTS), any_text.filter(bool).map(encode),
                        wild_text.filter(bool).map(encode))
    return st.one_of(st.sampled_from(real), st.sampled_from(real), st.sampled_from(real), hostile) if real else hostile


def tails() -> st.SearchStrategy[str]:
    """Paths for the catch-all and static routes: unknown API paths, traversal, odd bytes."""
    parts = st.one_of(st.sampled_from(("api", "v1", "v2", "..", ".", "%2e%2e", "statuses", "static", "%00",
                                       "users", "alice", "", "style.css", "favicon.ico", "%ff", "a" * 300)),
                      any_text.map(encode))
    return st.lists(parts, max_size=5).map("/".join)


AUTHORIZATIONS = ("none", "user-query", "bogus", "basic", "bearer-empty", "huge")


def authorization_headers(choice: str, token: str) -> tuple[dict, str]:
    """(headers, extra query) for one way of presenting (or mangling) the user's bearer token."""
    return {
        "none": ({}, ""),
        "user": ({"Authorization": f"Bearer {token}"}, ""),
        "user-query": ({}, f"access_token={token}"),
        "bogus": ({"Authorization": "Bearer not-a-token"}, ""),
        "basic": ({"Authorization": "Basic YWxpY2U6cGFzcw=="}, ""),
        "bearer-empty": ({"Authorization": "Bearer "}, ""),
        "huge": ({"Authorization": "Bearer " + "t" * 6000}, ""),
    }[choice]


ACCEPTS = (None, "application/json", "application/activity+json", "text/html", "*/*", "application/xml",
           'application/ld+json; profile="https://www.w3.org/ns/activitystreams"', "image/png", "\u00e9/x",
           "application/jrd+json", "text/html;q=0.1, application/activity+json;q=0.9")


def flatten(name: str, value) -> list[tuple[str, str]]:
    """A JSON value as Rails form fields: `a[]` for lists, `a[b]` for objects, `a[][b]` for lists of objects."""
    if isinstance(value, dict):
        return [pair for key, item in value.items() for pair in flatten(f"{name}[{key}]", item)]
    if isinstance(value, list):
        return [pair for item in value for pair in
                (flatten(f"{name}[]", item) if not isinstance(item, dict) else
                 [(f"{name}[][{k}]", _text(v)) for k, v in item.items()])]
    return [(name, _text(value))]


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value if isinstance(value, str) else json.dumps(value)


@st.composite
def mutated(draw, template, words, ids, png: bytes, *, in_query: bool) -> tuple[str, Body]:
    """A template's fields kept, dropped or made hostile, plus a stray field or two; sent in the
    query (`in_query`) or as a JSON, form or multipart body."""
    fields = {}
    for key, value in template.fields.items():
        action = draw(st.sampled_from(("keep",) * 6 + ("drop", "hostile", "hostile")))
        if action == "keep":
            fields[key] = value
        elif action == "hostile":
            fields[key] = draw(st.one_of(json_values(words, ids), texts(words, ids, short=in_query)))
    fields.update(draw(st.dictionaries(st.sampled_from(words) if words else texts(), json_fields(words, ids),
                                       max_size=2)))
    if in_query:
        return form_encode([pair for key, value in fields.items() for pair in flatten(key, value)]), Body(None, None)
    encoding = draw(st.sampled_from(("json", "form", "multipart") if not template.files else ("multipart",) * 3 + ("json", "form")))
    if encoding == "json":
        return "", json_body(fields)
    pairs_ = [pair for key, value in fields.items() for pair in flatten(key, value)]
    if encoding == "form":
        return "", Body("application/x-www-form-urlencoded", form_encode(pairs_).encode(), "form")
    files = [(name, "image.png", draw(st.one_of(st.just(data), st.just(data), file_contents(png))), "image/png")
             for name, data in template.files.items()]
    return "", multipart(pairs_, files)


@st.composite
def calls(draw, route: Route, seeds, token: str, png: bytes, *, methods=None, user_weight: int = 6,
          extra_words: tuple[str, ...] = (), templates=()) -> Call:
    """One request to `route`: path values filled in, a query string, a body, a token or not;
    built on one of `templates` two times in three when there are any."""
    names = field_names(route.module)
    words = names + tuple(seeds.of("username")) + tuple(seeds.of("client_id")) + extra_words
    ids = tuple(v for kind in ("status", "account", "notification", "media", "generation") for v in seeds.of(kind))
    path = route.path
    real_paths = [known for known in seeds.of("path") if route.params and route.matches(known)]
    if route.static:
        path = "/static/" + draw(tails())
    elif real_paths and draw(st.integers(0, 2)) == 0:
        path = draw(st.sampled_from(real_paths))
    for name in route.params if "{" in path else ():
        before = path.split("{" + name + "}", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        value = draw(tails()) if name == "tail" else draw(segments(name, seeds, before))
        path = path.replace("{" + name + "}", value, 1)
    if draw(st.integers(0, 9)) == 0:
        path += "/"
    method = draw(st.sampled_from(methods)) if methods else route.method
    in_query = method in ("GET", "HEAD")
    template = draw(st.sampled_from(templates)) if templates and draw(st.integers(0, 2)) else None
    if template is not None:
        query, body = draw(mutated(template, words, ids, png, in_query=in_query))
    else:
        query = form_encode(draw(pairs(names, words, ids, short=True)))
        body = draw(bodies(names, words, ids, png)) if not in_query or draw(st.integers(0, 9)) == 0 \
            else Body(None, None, "none")
    if template is not None and not template.token:
        headers, auth_query = dict(template.headers) if draw(st.integers(0, 4)) else {}, ""
    else:
        auth = draw(st.sampled_from(("user",) * user_weight + AUTHORIZATIONS))
        headers, auth_query = authorization_headers(auth, token)
    query = "&".join(part for part in (query, auth_query) if part)
    headers.update(body.headers())
    accept = draw(st.sampled_from(ACCEPTS))
    if accept is not None:
        headers["Accept"] = accept
    return Call(method, path, query, headers, body)
