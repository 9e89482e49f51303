"""The smallest request for each server error the fuzzer found and that is not fixed yet
(tests/fuzz/known_bugs.py): each must still answer 500 with its own traceback. A fix makes its
case pass, and strict xfail turns that into a failure, so the entry is removed with the fix; a
500 with another traceback is an error of its own, not this xfail."""

import json

import pytest

from tests.conftest import PG_URL
from tests.fuzz.known_bugs import KNOWN_BUGS, KNOWN_INBOX_CRASHES
from tests.fuzz.live import formatted


def case(bug, name: str):
    """A strict xfail where the bug shows; on SQLite a PostgreSQL-only bug's request must pass."""
    shows = PG_URL or not bug.postgresql_only
    marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=bug.reason)] if shows else []
    return pytest.param(bug, marks=marks, id=name)


@pytest.mark.parametrize("bug", [case(bug, f"{bug.method} {bug.url[:40]}") for bug in KNOWN_BUGS])
def test_known_server_error(fuzz_node, bug):
    headers = dict(bug.headers)
    if bug.authorized:
        headers["Authorization"] = f"Bearer {fuzz_node.tokens['alice']}"
    body = bug.body.replace(b"{client_id}", fuzz_node.seeds.of("client_id")[0].encode()) if bug.body else bug.body
    fuzz_node.errors.take()
    response = fuzz_node.send(bug.method, bug.url, headers=headers, body=body)
    trace = formatted(fuzz_node.errors.take())
    if response.status_code >= 500 and not all(text in trace for text in bug.raised_in):
        raise RuntimeError(f"{bug.method} {bug.url[:60]} answered {response.status_code} for another reason:\n{trace}")
    assert response.status_code < 500, f"{bug.method} {bug.url[:60]} answered {response.status_code}: {bug.reason}"


@pytest.mark.parametrize("crash", [case(crash, crash.activity["type"]) for crash in KNOWN_INBOX_CRASHES])
def test_known_inbox_crash(fuzz_node, crash):
    text = json.dumps(crash.activity).replace("{actor}", fuzz_node.peer_actor.uri).replace("{peer}", fuzz_node.peer.base)
    activity = json.loads(text)
    response = fuzz_node.sign_and_send("/inbox", activity)
    assert response.status_code == 202, response.text
    fuzz_node.settle()
    fuzz_node.errors.take()  # the worker logs the crash at ERROR
    [(_kind, state, error)] = fuzz_node.inbox_failures(activity["id"]) or [("", "done", "")]
    if state == "queued" and not all(text in error for text in crash.raised_in):
        raise RuntimeError(f"{activity['type']} is retried for another reason:\n{error}")
    assert state != "queued", f"{activity['type']} is queued for another attempt: {crash.reason}"
