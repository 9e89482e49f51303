"""What every fuzzed request must satisfy: an answer below 500, no ERROR logged while it was
served, and the connection intact. A failure shows the request and the server's traceback;
Hypothesis then shrinks the request to a minimal one."""

from collections import Counter, defaultdict

import requests

from .known_bugs import known_bug
from .live import FuzzNode, formatted
from .calls import Call

# Answers by route and status, for the summary that MURALIST_FUZZ_REPORT asks for (conftest.py).
STATUSES: dict[str, Counter] = defaultdict(Counter)
# Inbox items whose processing failed, by activity type and exception (kept on their rows).
INBOX_FAILURES: Counter = Counter()


def check(node: FuzzNode, call: Call, route: str) -> int:
    node.errors.take()
    try:
        response = node.send(call.method, call.url, headers=call.headers, body=call.body.data)
    except requests.RequestException as exc:
        records = node.errors.take()
        raise AssertionError(f"{route}: the connection failed ({exc!r}) on {call!r}\n{formatted(records)}") from None
    records = node.errors.take()
    STATUSES[route][response.status_code] += 1
    if response.status_code >= 500 or records:
        trace = formatted(records)
        if response.status_code == 500 and known_bug(route, trace):
            return response.status_code
        raise AssertionError(f"{route} answered {response.status_code} to {call!r}\n"
                             f"body: {response.text[:300]!r}\n{trace}")
    return response.status_code
