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


KNOWN_BUGS: tuple[KnownBug, ...] = (
    KnownBug(
        routes=(),  # every route that reads a multipart body
        # Any of aiohttp's HttpProcessingError kinds (InvalidHeader, LineTooLong, BadHttpMessage).
        raised_in=("in _read_multipart", "aiohttp.http_exceptions."),
        reason="node/api/body.py _read_multipart lets aiohttp's InvalidHeader (a part header with a "
               "control character) escape as a 500; it catches only ValueError and AssertionError",
        method="PATCH",
        url="/api/v1/accounts/update_credentials",
        headers=(("Content-Type", "multipart/form-data; boundary=b"),),
        body=b'--b\r\nContent-Disposition: form-data; name="\x1f"\r\n\r\nx\r\n--b--\r\n',
    ),
    KnownBug(
        routes=("GET /static/{filename}",),
        raised_in=("in _resolve_path_to_response", "OSError: [Errno 36] File name too long"),
        reason="node/app.py serves /static/ with aiohttp's add_static, whose StaticResource._handle "
               "(_resolve_path_to_response) lets OSError ENAMETOOLONG escape as a 500 for a name over 255 bytes",
        method="GET",
        url="/static/" + "a" * 256,
        authorized=False,
    ),
    KnownBug(
        routes=("POST /oauth/authorize",),
        raised_in=("in _check_form", "TypeError: comparing strings with non-ASCII characters is not supported"),
        reason="node/api/authorize.py _check_form passes the form's csrf_token to hmac.compare_digest, "
               "which raises TypeError for non-ASCII text: a 500 instead of the 403 'form has expired' page",
        method="POST",
        url="/oauth/authorize",
        headers=(("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", "muralist_oauth=n")),
        body=b"client_id={client_id}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&csrf_token=%C3%A9",
        authorized=False,
    ),
    KnownBug(
        routes=(),  # every route with a {username} in its path
        raised_in=("in get_account_by_username", 'invalid byte sequence for encoding "UTF8": 0x00'),
        reason="storage/repositories/accounts.py get_account_by_username sends a username with NUL (%00 in "
               "the path) to PostgreSQL, which refuses it: a 500 instead of a 404 (on SQLite it is a 404)",
        method="GET",
        url="/users/alice%00",
        authorized=False,
        postgresql_only=True,
    ),
)


def known_bug(route: str, trace: str) -> KnownBug | None:
    return next((bug for bug in KNOWN_BUGS if (not bug.routes or route in bug.routes)
                 and all(text in trace for text in bug.raised_in)), None)


@dataclass(frozen=True)
class KnownInboxCrash:
    raised_in: tuple[str, ...]  # texts that all appear in the traceback kept on the inbox row
    reason: str
    activity: dict  # signed by the peer's actor; "{actor}" and "{peer}" are filled in by the test
    postgresql_only: bool = False


KNOWN_INBOX_CRASHES: tuple[KnownInboxCrash, ...] = (
    KnownInboxCrash(
        raised_in=("sqlalchemy.exc.DBAPIError", "surrogates not allowed"),
        reason="a lone surrogate (JSON \\ud800) in an activity's IRI reaches SQL: here "
               "node/federation/handlers/answers.py on_accept -> _our_follow -> "
               "storage/repositories/follows.py get_follow_by_uri; asyncpg refuses it with DataError, a "
               "DBAPIError that activitypub/inbox/process.py does not count as permanent, so the row is "
               "retried for days (on SQLite the UnicodeEncodeError is a ValueError: failed at once)",
        activity={"@context": "https://www.w3.org/ns/activitystreams", "id": "{peer}/known/accept-surrogate",
                  "type": "Accept", "actor": "{actor}", "object": "\ud800"},
        postgresql_only=True,
    ),
)


def known_inbox_crash(trace: str) -> KnownInboxCrash | None:
    return next((crash for crash in KNOWN_INBOX_CRASHES if all(text in trace for text in crash.raised_in)), None)
