"""Server errors the fuzzer found that are not fixed yet, each with the smallest request that
shows it, and inbox activities whose processing crashes in a way that is retried for days.
tests/fuzz/test_fuzz_known_bugs.py sends each one and expects the failure (strict xfail), so
the fix turns it red until its entry is removed; meanwhile the fuzzing passes over that one
traceback and keeps looking for others."""

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownBug:
    routes: tuple[str, ...]  # "METHOD /path/{param}" as tests/fuzz/routes.py names them; () for any
    raised_in: tuple[str, ...]  # texts that all appear in this bug's traceback, and in no other's
    reason: str
    method: str
    url: str  # path and query
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None  # "{client_id}" is replaced by a real app's client id
    authorized: bool = True
    postgresql_only: bool = False  # SQLite stores what PostgreSQL refuses (NUL in text)


# The four the suite found first (a multipart part header with a control character, a /static/
# name over 255 bytes, a non-ASCII csrf_token, NUL in a username on PostgreSQL) were fixed in
# 21d2f17; tests/api/test_api_odd_requests.py keeps them.
KNOWN_BUGS: tuple[KnownBug, ...] = ()


def known_bug(route: str, trace: str) -> KnownBug | None:
    return next((bug for bug in KNOWN_BUGS if (not bug.routes or route in bug.routes)
                 and all(text in trace for text in bug.raised_in)), None)


@dataclass(frozen=True)
class KnownInboxCrash:
    raised_in: tuple[str, ...]  # texts that all appear in the traceback kept on the inbox row
    reason: str
    activity: dict  # signed by the peer's actor; "{actor}" and "{peer}" are filled in by the test
    postgresql_only: bool = False


# A lone surrogate in an Accept's object reached SQL from the Accept handler; every activity is
# made storable before its handler runs now (node/federation/processing.py), and
# tests/federation/test_inbox_hardening_body.py keeps the case.
KNOWN_INBOX_CRASHES: tuple[KnownInboxCrash, ...] = ()


def known_inbox_crash(trace: str) -> KnownInboxCrash | None:
    return next((crash for crash in KNOWN_INBOX_CRASHES if all(text in trace for text in crash.raised_in)), None)
