"""Hypothesis strategies for what arrives at an inbox: ActivityStreams shapes built at random
from the vocabulary, and the payloads captured from Mastodon, Pixelfed, GoToSocial and Misskey
(tests/fixtures/) with some of their values dropped or replaced by hostile ones; bodies that
are not JSON at all; and signature headers that are malformed or do not verify."""

import json

from hypothesis import strategies as st

from tests.fixtures import replay

from .strategies import HOSTILE_INTS, json_values, texts

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
TYPES = (
    "Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo", "Like", "Announce", "Block", "Move",
    "Flag", "Add", "Remove", "QuoteRequest", "EmojiReact", "Note", "Question", "Article", "Page", "Image",
    "Video", "Document", "Tombstone", "Person", "Service", "Application", "Group", "QuoteAuthorization",
    "Mention", "Hashtag", "Emoji", "Link", "Collection", "OrderedCollection", "OrderedCollectionPage",
)
CONTEXTS = (
    "https://www.w3.org/ns/activitystreams",
    ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1",
     {"quote": {"@id": "https://w3id.org/fep/044f#quote", "@type": "@id"}}],
    {"@vocab": "_:"}, [], None, 7,
)
DATES = ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05.678+02:00", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
         "0000-00-00T00:00:00Z", "yesterday", "2026-02-30T25:61:61Z", "")
HTML = ("<p>hello <a href=\"http://x\">@alice</a></p>", "<script>alert(1)</script>", "<p>" + "a" * 6000 + "</p>",
        "plain text", "<img src=x onerror=alert(1)>", "\u0000", "<p>\ud800</p>")


def uris(node) -> st.SearchStrategy[str]:
    """IRIs a peer could name: this node's actors and posts, the peer's actor, posts and
    unknown paths, an address nobody listens on, and a host that does not resolve."""
    base, peer = node.base_url, node.peer.base
    known = [f"{base}/users/{name}" for name in node.seeds.of("username")]
    known += [f"{base}/users/alice/statuses/{post}" for post in node.seeds.of("status")]
    known += [f"{base}/users/alice/followers", f"{base}/actor", PUBLIC, "as:Public", "Public",
              node.peer_actor.uri, f"{peer}/notes/1", f"{peer}/users/fuzzer/followers", f"{peer}/users/nobody",
              "http://127.0.0.1:9/users/gone", "https://fuzz.invalid/users/x", ""]
    return st.one_of(st.sampled_from(known), st.sampled_from(known),
                     st.integers(0, 99).map(lambda n: f"{peer}/objects/{n}"), texts(short=True))


def objects(node) -> st.SearchStrategy:
    iri = uris(node)
    leaf = st.one_of(iri, iri, st.sampled_from(HOSTILE_INTS), st.none(), st.booleans(), texts(short=True))

    def extend(children):
        shaped = st.fixed_dictionaries(
            {"type": st.one_of(st.sampled_from(TYPES), st.lists(st.sampled_from(TYPES), max_size=2), leaf)},
            optional={
                "id": iri, "actor": st.one_of(iri, children), "object": children, "attributedTo": iri,
                "content": st.one_of(st.sampled_from(HTML), texts()), "name": texts(short=True),
                "summary": texts(short=True), "to": st.one_of(st.lists(iri, max_size=3), iri),
                "cc": st.lists(iri, max_size=3), "inReplyTo": st.one_of(iri, children), "url": st.one_of(iri, children),
                "published": st.sampled_from(DATES), "updated": st.sampled_from(DATES),
                "attachment": st.lists(children, max_size=5), "tag": st.lists(children, max_size=3),
                "href": iri, "mediaType": st.sampled_from(("image/png", "image/jpeg", "text/html", "x")),
                "width": st.sampled_from(HOSTILE_INTS), "height": st.sampled_from(HOSTILE_INTS),
                "blurhash": texts(short=True), "focalPoint": st.lists(st.floats(), max_size=3),
                "sensitive": leaf, "quote": iri, "quoteUrl": iri, "_misskey_quote": iri, "quoteAuthorization": iri,
                "interactionPolicy": children, "instrument": children, "target": st.one_of(iri, children),
                "interactingObject": iri, "interactionTarget": iri, "oneOf": st.lists(children, max_size=3),
                "publicKey": children, "preferredUsername": texts(short=True), "inbox": iri, "outbox": iri,
                "followers": iri, "endpoints": children, "movedTo": iri, "alsoKnownAs": st.lists(iri, max_size=2),
                "icon": children, "image": children, "first": children, "items": st.lists(children, max_size=3),
            },
        )
        return st.one_of(shaped, shaped, shaped, st.lists(children, max_size=3))

    return st.recursive(leaf, extend, max_leaves=12)


@st.composite
def activities(draw, node, *, as_peer: bool) -> dict:
    """An activity dict; `as_peer`: its actor is (mostly) the peer's actor, whose key signs it."""
    actor = node.peer_actor.uri if as_peer and draw(st.integers(0, 9)) else draw(st.one_of(uris(node), objects(node)))
    activity = {"@context": draw(st.sampled_from(CONTEXTS)),
                "id": f"{node.peer.base}/fuzz/{draw(st.integers(0, 10**6))}",
                "type": draw(st.sampled_from(TYPES)), "actor": actor, "object": draw(objects(node))}
    for key in ("to", "cc"):
        if draw(st.booleans()):
            activity[key] = draw(st.lists(uris(node), max_size=3))
    for key in draw(st.lists(st.sampled_from(("@context", "id", "type", "object")), max_size=2, unique=True)):
        if draw(st.booleans()):
            activity.pop(key, None)
        else:
            activity[key] = draw(json_values())
    return activity


def _paths(value, prefix=()):
    """Every path to a value inside a JSON document."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


def _replaced(document, path, new, delete: bool):
    if not path:
        return new
    copy = json.loads(json.dumps(document))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return copy


@st.composite
def mutated_captures(draw, node, captures: list[dict], *, as_peer: bool) -> dict:
    """A captured payload with one to three of its values dropped or replaced."""
    document = draw(st.sampled_from(captures))
    document = dict(document, id=f"{node.peer.base}/fuzz/c{draw(st.integers(0, 10**6))}")
    for _ in range(draw(st.integers(1, 3))):
        paths = [path for path in _paths(document) if path and not (as_peer and path == ("actor",))]
        path = draw(st.sampled_from(paths))
        new = draw(st.one_of(objects(node), json_values(), uris(node)))
        document = _replaced(document, path, new, delete=draw(st.integers(0, 3)) == 0)
    return document


def inbox_bodies(node, captures, *, as_peer: bool) -> st.SearchStrategy:
    """A JSON document for an inbox (an activity, a capture, or any JSON value)."""
    shapes = [activities(node, as_peer=as_peer), mutated_captures(node, captures, as_peer=as_peer)]
    return st.one_of(shapes * 2 if as_peer else shapes * 2 + [json_values()])


def _header_safe(text: str) -> str:
    """Text an HTTP client will send as a header value (visible ASCII)."""
    return "".join(char for char in text if 32 < ord(char) < 127)


def signature_headers(node) -> st.SearchStrategy[dict]:
    """Signature headers that cannot verify: malformed, naming keys that do not exist or are
    somebody else's, over the wrong headers, or in RFC 9421's form with garbage in it."""
    key_ids = st.one_of(uris(node), st.sampled_from((node.peer_actor.key_id, f"{node.base_url}/users/alice#main-key",
                                                      f"{node.base_url}/actor#main-key")))
    cavage = st.builds(
        lambda key, algorithm, headers, signature: (
            f'keyId="{key}",algorithm="{algorithm}",headers="{headers}",signature="{signature}"'),
        key_ids, st.sampled_from(("rsa-sha256", "hs2019", "ed25519", "", "rsa-sha1")),
        st.sampled_from(("(request-target) host date digest", "(request-target)", "", "date", "(created) (expires)")),
        st.sampled_from(("AAAA", "", "not base64!", "A" * 600)))
    return st.fixed_dictionaries({}, optional={
        "Signature": st.one_of(cavage, texts(short=True)).map(_header_safe),
        "Digest": st.sampled_from(("SHA-256=AAAA", "SHA-256=", "MD5=x", "sha-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")),
        "Date": st.sampled_from(("Thu, 01 Jan 1970 00:00:00 GMT", "garbage", "")),
        "Signature-Input": st.sampled_from(('sig1=("@method" "@target-uri");keyid="x";created=1', "sig1=", "((((")),
        "Content-Digest": st.sampled_from(("sha-256=:AAAA:", "x")),
    })


def captures(node) -> list[dict]:
    """Every captured payload in tests/fixtures/, filled in for this node and its peer."""
    values = {"peer": node.peer.base, "actor": node.peer_actor.uri, "local_actor": f"{node.base_url}/users/alice",
              "local_note": f"{node.base_url}/users/alice/statuses/{node.seeds.of('status')[0]}",
              "note": f"{node.peer.base}/notes/1", "public_key_pem": node.peer_actor.public_pem}
    found = []
    for server in replay.SERVERS:
        for path in sorted((replay.HERE / server).glob("*.json")):
            try:
                found.append(replay.load(server, path.stem, **values))
            except KeyError:  # a placeholder this setting does not fill
                continue
    return found
