"""Hypothesis strategies for hostile requests: path values, query strings, JSON, form and
multipart bodies, headers, and ActivityStreams shapes for the inbox.

Values come from three pools mixed together: the names and words the handler's own module
uses (so a body reaches the code that reads it), the ids of real rows (so lookups succeed and
the code behind them runs), and values chosen to break parsers (huge and negative numbers,
non-ASCII digits, lone surrogates, NUL, very long text, wrong JSON types, deep nesting).
"""

import json
import string
from dataclasses import dataclass
from urllib.parse import quote

from hypothesis import strategies as st


# --- leaves ---------------------------------------------------------------------------------

HOSTILE_TEXT = (
    "", " ", "0", "-1", "1.5", "1e400", "NaN", "-0", "+1", " 7 ", "0x10", "true", "null", "[]", "{}",
    "9223372036854775807", "9223372036854775808", "18446744073709551616", "9" * 40, "0" * 30 + "1",
    "²", "²x²", "١٢٣", "٦٤x٦٤", "９９", "Ⅻ", "\u00bd",
    "\x00", "a\x00b", "\ud800", "a\udfffb", "\u202e", "\ufeff", "𝕏🎨", "e\u0301", "\r\n", "\t",
    "../../../../etc/passwd", "%00", "%ZZ", "<script>alert(1)</script>", "' OR 1=1 --", "${jndi:x}",
    "@alice", "alice@example.org", "@alice@127.0.0.1", "acct:alice@127.0.0.1", "#murals",
    "http://127.0.0.1:9/x", "https://fuzz.invalid/users/x", "javascript:alert(1)", "urn:ietf:wg:oauth:2.0:oob",
    "public", "unlisted", "private", "direct", "nobody", "followers", "everyone",
    "x" * 5001, "🎨" * 1200,
)
HOSTILE_INTS = (0, -1, 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, -(2**63) - 1, 2**64, 10**30, -(10**30))

# Text of the small alphabet number and size parsers trip on.
numberish = st.text(alphabet="0123456789²١９-+ .xeE", min_size=1, max_size=12)
any_text = st.text(st.characters(codec="utf-8", exclude_categories=()), max_size=30)
wild_text = st.text(st.characters(exclude_categories=()), max_size=12)  # lone surrogates too


SHORT_HOSTILE_TEXT = tuple(text for text in HOSTILE_TEXT if len(text) < 100)


def texts(words: tuple[str, ...] = (), ids: tuple[str, ...] = (), *, short: bool = False) -> st.SearchStrategy[str]:
    choices = [st.sampled_from(SHORT_HOSTILE_TEXT if short else HOSTILE_TEXT), any_text, numberish, wild_text]
    if words:
        choices.insert(0, st.sampled_from(words))
    if ids:
        choices.insert(0, st.sampled_from(ids))
    return st.one_of(choices)


def scalars(words=(), ids=()) -> st.SearchStrategy:
    return st.one_of(
        texts(words, ids), st.none(), st.booleans(), st.sampled_from(HOSTILE_INTS), st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
    )


def json_values(words=(), ids=(), keys=None) -> st.SearchStrategy:
    keys = keys if keys is not None else texts(words)
    return st.recursive(
        scalars(words, ids),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
        max_leaves=10,
    )


# --- wire encodings -------------------------------------------------------------------------

def encode(text: str) -> str:
    """Percent-encode text as UTF-8, lone surrogates as the bytes they would be (invalid UTF-8)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def form_encode(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in pairs)


def rails_names(names: tuple[str, ...]) -> st.SearchStrategy[str]:
    """A field name as Rails forms write it: `a`, `a[]`, `a[b]`, `a[][b]`, `a[0][b]`, and broken ones."""
    name = st.sampled_from(names) if names else texts()
    inner = st.one_of(st.sampled_from(names) if names else st.just("x"), st.just(""), st.sampled_from(("0", "1", "99")))
    return st.one_of(
        name,
        st.builds(lambda a: f"{a}[]", name),
        st.builds(lambda a, b: f"{a}[{b}]", name, inner),
        st.builds(lambda a, b: f"{a}[][{b}]", name, inner),
        st.builds(lambda a, b, c: f"{a}[{b}][{c}]", name, inner, inner),
        st.builds(lambda a, depth: a + "[x]" * depth, name, st.sampled_from((31, 32, 33, 200))),
        st.sampled_from(("[x]", "a]", "a[", "a[b", "[]", "[", "]]", "a[]]", "a[[b]]")),
        texts(),
    )


def plausible(words=(), ids=()) -> st.SearchStrategy[str]:
    """A value a client could mean: a word the handler knows, a real id, a flag, a number, a phrase."""
    choices = [st.sampled_from(("true", "false", "1", "0")), st.integers(0, 100).map(str),
               st.text(string.ascii_letters + " #@", min_size=1, max_size=20)]
    if ids:
        choices = [st.sampled_from(ids)] * 2 + choices
    if words:
        choices = [st.sampled_from(words)] * 2 + choices
    return st.one_of(choices)


def values(words=(), ids=(), *, short: bool = False) -> st.SearchStrategy[str]:
    """Mostly plausible, sometimes hostile text."""
    return st.one_of(plausible(words, ids), plausible(words, ids), plausible(words, ids),
                     texts(words, ids, short=short))


def pairs(names: tuple[str, ...], words, ids, min_size: int = 0, *,
          short: bool = False) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Form or query fields: mostly the handler's own names with plausible values, some Rails
    shapes, some hostile names and values (`short`: none of the very long ones, for a URL)."""
    value = values(words, ids, short=short)
    plain = st.tuples(st.sampled_from(names), value) if names else st.tuples(texts(short=short), value)
    odd = st.tuples(rails_names(names), texts(words, ids, short=short))
    return st.lists(st.one_of(plain, plain, plain, odd), min_size=min_size, max_size=5)


@dataclass
class Body:
    content_type: str | None
    data: bytes | None
    label: str = ""

    def headers(self) -> dict:
        return {"Content-Type": self.content_type} if self.content_type is not None else {}


def json_body(value) -> Body:
    # ensure_ascii writes a lone surrogate as the escape \ud800, which is valid JSON text.
    return Body("application/json", json.dumps(value, allow_nan=True).encode(), "json")


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str | None, bytes, str]]) -> Body:
    boundary = "fuzzboundary7MA4YWxkTrZu0gW"
    out = bytearray()
    for name, value in fields:
        out += f"--{boundary}\r\n".encode()
        out += b'Content-Disposition: form-data; name="' + name.encode("utf-8", "surrogatepass") + b'"\r\n\r\n'
        out += value.encode("utf-8", "surrogatepass") + b"\r\n"
    for name, filename, data, kind in files:
        out += f"--{boundary}\r\n".encode()
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += f"Content-Disposition: {disposition}\r\nContent-Type: {kind}\r\n\r\n".encode("utf-8", "surrogatepass")
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return Body(f"multipart/form-data; boundary={boundary}", bytes(out), "multipart")


def file_contents(png: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.just(png), st.just(png[: len(png) // 2]), st.just(b""), st.binary(max_size=64),
        st.just(b"GIF89a" + b"\x00" * 20), st.just(b"\xff\xd8\xff\xe0" + b"\x00" * 16),
        st.just(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    )


def json_fields(words, ids) -> st.SearchStrategy:
    """A JSON field's value as clients send it (text, numbers, flags, id lists, small objects)."""
    native = st.one_of(values(words, ids), st.booleans(), st.sampled_from(tuple(int(i) for i in ids if i.isdigit()) or (1,)),
                       st.lists(st.sampled_from(ids or ("1",)), max_size=3), st.integers(-5, 100))
    return st.one_of(native, native, native, json_values(words, ids))


def bodies(names: tuple[str, ...], words, ids, png: bytes) -> st.SearchStrategy[Body]:
    """A request body of any kind a client could send, well formed or not."""
    keys = st.one_of(st.sampled_from(names), st.sampled_from(names), texts(words)) if names else texts(words)
    json_objects = st.dictionaries(keys, json_fields(words, ids), min_size=1, max_size=5)
    form = pairs(names, words, ids, min_size=1).map(
        lambda p: Body("application/x-www-form-urlencoded", form_encode(p).encode(), "form"))
    file_field = st.tuples(st.sampled_from(("file", "avatar", "header", "thumbnail") + names[:3]),
                           st.one_of(st.none(), st.sampled_from(("a.png", "", "../x.png", "é.jpg"))),
                           file_contents(png),
                           st.sampled_from(("image/png", "image/jpeg", "text/plain", "application/octet-stream")))
    return st.one_of(
        st.just(Body(None, None, "none")),
        json_objects.map(json_body), json_objects.map(json_body), json_objects.map(json_body),
        form, form, form,
        json_values(words, ids, keys).map(json_body),  # any JSON value, an object or not
        st.integers(20, 120).map(lambda depth: Body("application/json", b"[" * depth + b"]" * depth, "deep json")),
        st.sampled_from((b"{", b'{"a": 1,}', b"\xff\xfe", b'{"a": "\\ud800"}', b'{"a": NaN}', b"",
                         b'{"a": 1e999}', b'{"a":' + b"9" * 5000 + b"}")).map(
            lambda raw: Body("application/json", raw, "bad json")),
        st.builds(multipart, pairs(names, words, ids), st.lists(file_field, max_size=2)),
        st.builds(multipart, pairs(names, words, ids), st.lists(file_field, min_size=1, max_size=2)),
        st.tuples(st.sampled_from(("text/plain", "application/xml", "multipart/form-data",
                                   "multipart/form-data; boundary=x", "application/json; charset=latin-1",
                                   "application/activity+json", "application/x-www-form-urlencoded; charset=utf-16",
                                   "", "*/*", "\u00e9")),
                  st.binary(max_size=80)).map(lambda t: Body(t[0], t[1], "raw")),
    )
