"""The inboxes under random activities: unsigned (or signed with garbage) to every inbox route,
and, a smaller set, correctly signed by a peer's actor so that they are stored and processed.
Every answer is 2xx or 4xx, nothing is logged at ERROR, the workers process what was stored
without a crash (a failed item keeps its traceback on its row, as designed), and the node
still serves afterwards."""

import builtins
import importlib
import json

import pytest
from hypothesis import given, strategies as st

from activitypub.errors import FetchError
from activitypub.inbox.process import PERMANENT
from activitypub.signatures import sign_request
from node.errors import Forbidden
from storage.errors import NotFound
from tests.fuzz.activities import captures, inbox_bodies, signature_headers
from tests.fuzz.check import INBOX_FAILURES, check
from tests.fuzz.known_bugs import known_inbox_crash
from tests.fuzz.live import formatted
from tests.fuzz.conftest import EXAMPLES, fuzz_settings
from tests.fuzz.routes import routes_of
from tests.fuzz.calls import Call, segments
from tests.fuzz.strategies import Body

ROUTES = routes_of("inbox")
AS2 = "application/activity+json"
CONTENT_TYPES = (AS2, 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"', "application/json",
                 "text/plain", "application/x-www-form-urlencoded", None)
RAW_BODIES = (b"", b"{", b"null", b"[]", b'"x"', b"\xff\xfe", b'{"a":' * 200, b"{}" * 5000, b'{"id": "\\ud800"}')


def inbox_path(route, draw) -> str:
    path = route.path
    for name in route.params:
        path = path.replace("{" + name + "}", draw, 1)
    return path


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_fuzz_inbox_unsigned(fuzz_node, route):
    payloads = captures(fuzz_node)
    username = segments("username", fuzz_node.seeds)

    @fuzz_settings(EXAMPLES * 2, f"unsigned {route}")
    @given(name=username, document=inbox_bodies(fuzz_node, payloads, as_peer=False),
           raw=st.one_of(st.none(), st.none(), st.none(), st.sampled_from(RAW_BODIES)),
           content_type=st.sampled_from(CONTENT_TYPES), signature=signature_headers(fuzz_node))
    def unsigned_activities(name, document, raw, content_type, signature):
        body = raw if raw is not None else json.dumps(document).encode()
        headers = dict(signature) | ({"Content-Type": content_type} if content_type else {})
        call = Call("POST", inbox_path(route, name), "", headers, Body(content_type, body, "activity"))
        check(fuzz_node, call, str(route))

    unsigned_activities()
    fuzz_node.settle()
    fuzz_node.assert_serving()


def test_fuzz_inbox_signed_then_processed(fuzz_node):
    payloads = captures(fuzz_node)
    actor = fuzz_node.peer_actor
    paths = ["/inbox", "/users/alice/inbox", "/users/bob/inbox", "/actor/inbox"]

    @fuzz_settings(EXAMPLES * 4, "signed /inbox")
    @given(document=inbox_bodies(fuzz_node, payloads, as_peer=True), path=st.sampled_from(paths))
    def signed_activities(document, path):
        body = json.dumps(document).encode()
        headers = sign_request("POST", fuzz_node.base_url + path, {"Content-Type": AS2}, body, actor.key_id,
                               actor.private_pem)
        check(fuzz_node, Call("POST", path, "", headers, Body(AS2, body, "signed activity")), "POST /inbox (signed)")

    signed_activities()
    fuzz_node.settle()
    # The worker logs a crash at ERROR; a known one (tests/fuzz/known_bugs.py) is let pass here.
    logged = [record for record in fuzz_node.errors.take() if not known_inbox_crash(formatted([record]))]
    assert not logged, "inbox processing logged errors:\n" + formatted(logged)
    fuzz_node.assert_serving()
    failures = fuzz_node.inbox_failures()
    INBOX_FAILURES.update(f"{kind}: {exception_line(error).split(':', 1)[0]}" for kind, _state, error in failures)
    unexpected = [(kind, error) for kind, _state, error in failures
                  if not expected_failure(exception_line(error)) and not known_inbox_crash(error)]
    assert not unexpected, "inbox processing crashed:\n" + "\n\n".join(f"{kind}: {error}" for kind, error in unexpected)


# What processing may end in for hostile input: the failures activitypub/inbox/process.py
# records as permanent (the activity is malformed, refused, or of a shape our reading cannot
# take) and fetch failures. Anything else (a database error, AttributeError) is a crash that
# is retried for days.
EXPECTED_ERRORS = PERMANENT + (FetchError, NotFound, Forbidden)


def exception_line(traceback_text: str) -> str:
    """The "pkg.Name: message" line that ends a traceback (SQLAlchemy adds a "(Background ...)" line)."""
    lines = [line for line in traceback_text.strip().splitlines() if line.strip() and not line.startswith("(")]
    return lines[-1] if lines else ""


def exception_class(last_line: str) -> type | None:
    """The exception class named at the end of a traceback ("pkg.mod.Name: message" or "Name: ...")."""
    name = last_line.split(":", 1)[0].strip()
    module_name, _, class_name = name.rpartition(".")
    try:
        found = getattr(importlib.import_module(module_name) if module_name else builtins, class_name)
    except (ImportError, AttributeError, ValueError):
        return None
    return found if isinstance(found, type) else None


def expected_failure(last_line: str) -> bool:
    kind = exception_class(last_line)
    return kind is not None and issubclass(kind, EXPECTED_ERRORS)
