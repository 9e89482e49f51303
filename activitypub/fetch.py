"""Signed, bounded fetching of remote ActivityPub documents and WebFinger answers.

Every GET is signed by the node's instance actor, because GoToSocial and Mastodon in
authorized-fetch mode refuse unsigned reads. Every hop passes the SSRF guard, bodies and
time are capped, and a document is only believed when it lives where it says it does.
"""

import asyncio
import json
from urllib.parse import quote, urljoin, urlsplit

import aiohttp

from .context import AS2_MEDIA_TYPE, LD_MEDIA_TYPE, is_as2_media_type
from .errors import FetchError, FetchStatusError, GoneOrMissing
from .netguard import check_url, guarded_session
from .shapes import same_origin
from .signatures import sign_request

AS2_ACCEPT = f"{AS2_MEDIA_TYPE}, {LD_MEDIA_TYPE}"
JRD_ACCEPT = "application/jrd+json, application/json"
DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_REDIRECTS = 3
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024


class Fetcher:
    """Fetches remote JSON over a guarded aiohttp session, signed as the instance actor.

    The session is the caller's (normally `netguard.guarded_session`); `scheme` is what
    WebFinger uses, `http` only for local test setups.
    """

    def __init__(self, session: aiohttp.ClientSession, *, key_id: str, private_key_pem: str,
                 allow_private: bool = False, scheme: str = "https",
                 max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = DEFAULT_TIMEOUT,
                 max_redirects: int = DEFAULT_MAX_REDIRECTS) -> None:
        if scheme not in ("https", "http"):
            raise ValueError(f"unsupported scheme {scheme!r}")
        self.session = session
        self.key_id = key_id
        self.private_key_pem = private_key_pem
        self.allow_private = allow_private
        self.scheme = scheme
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.max_redirects = max_redirects

    @classmethod
    def with_guarded_session(cls, *, key_id: str, private_key_pem: str,
                             allow_private: bool = False, **options) -> "Fetcher":
        """A Fetcher over a new guarded session; close it with `close()`."""
        session = guarded_session(allow_private)
        return cls(session, key_id=key_id, private_key_pem=private_key_pem,
                   allow_private=allow_private, **options)

    async def close(self) -> None:
        await self.session.close()

    async def get_json(self, uri: str, *, accept_any_json: bool = False) -> dict:
        """The AS2 object at `uri`, checked: AS2 content type, a JSON object, an id at home.

        `accept_any_json` tolerates `application/json` from servers that label AS2 wrongly.
        Raises GoneOrMissing on 404/410, FetchStatusError on other failures, BlockedAddress
        for a private target, FetchError for anything else unacceptable.
        """
        final_url, content_type, body = await self.fetch(uri, AS2_ACCEPT)
        if not (is_as2_media_type(content_type)
                or (accept_any_json and _media_type(content_type) == "application/json")):
            raise FetchError(f"{final_url} is {content_type or 'untyped'}, not ActivityStreams")
        document = parse_json_object(body, final_url)
        check_document_id(document, final_url)
        return document

    async def webfinger(self, acct: str) -> str:
        """The actor id that `user@domain` names, from the domain's WebFinger (RFC 7033)."""
        user, domain = split_acct(acct)
        resource = quote(f"acct:{user}@{domain}", safe=":@")
        url = f"{self.scheme}://{domain}/.well-known/webfinger?resource={resource}"
        final_url, content_type, body = await self.fetch(url, JRD_ACCEPT)
        if _media_type(content_type) not in ("application/jrd+json", "application/json"):
            raise FetchError(f"{final_url} is {content_type or 'untyped'}, not a JRD")
        document = parse_json_object(body, final_url)
        actor_uri = self_link(document)
        if actor_uri is None:
            raise FetchError(f"WebFinger for {user}@{domain} names no ActivityPub actor")
        return actor_uri

    async def fetch(self, url: str, accept: str) -> tuple[str, str, bytes]:
        """(final URL, content type, body) of a successful signed GET, redirects followed."""
        try:
            async with asyncio.timeout(self.timeout):
                return await self._follow(url, accept)
        except TimeoutError as exc:
            raise FetchError(f"fetching {url} took longer than {self.timeout:g} s") from exc
        except aiohttp.ClientError as exc:
            raise FetchError(f"fetching {url} failed: {exc}") from exc

    async def _follow(self, url: str, accept: str) -> tuple[str, str, bytes]:
        # Redirects are followed by hand so each hop passes the SSRF guard and is signed
        # for its own (request-target) and host.
        for _ in range(self.max_redirects + 1):
            self._guard(url)
            headers = sign_request("GET", url, {"Accept": accept}, None,
                                   self.key_id, self.private_key_pem)
            async with self.session.get(url, headers=headers, allow_redirects=False) as response:
                if response.status in REDIRECT_STATUSES:
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchError(f"{url} redirects without a Location")
                    url = urljoin(url, location)
                    continue
                _check_status(url, response.status)
                body = await self._read_body(url, response)
                return url, response.headers.get("Content-Type", ""), body
        raise FetchError(f"more than {self.max_redirects} redirects fetching {url}")

    def _guard(self, url: str) -> None:
        host = check_url(url, self.allow_private)
        bare = host.rstrip(".")
        if bare != host and bare:
            # `localhost.` and `127.0.0.1.` are absolute forms of the same names
            # (RFC 1034 section 3.1), so the dotless form must pass the guard as well.
            check_url(f"http://{bare}/", self.allow_private)

    async def _read_body(self, url: str, response: aiohttp.ClientResponse) -> bytes:
        declared = response.content_length
        if declared is not None and declared > self.max_bytes:
            raise FetchError(f"{url} is {declared} bytes, over the {self.max_bytes}-byte limit")
        # Content-Length may be absent or wrong (and gzip expands), so count what arrives.
        chunks, size = [], 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"{url} is over the {self.max_bytes}-byte limit")
            chunks.append(chunk)
        return b"".join(chunks)


def _check_status(url: str, status: int) -> None:
    if status in (404, 410):
        raise GoneOrMissing(url, status)
    if not 200 <= status < 300:
        raise FetchStatusError(url, status)


def _media_type(content_type: str) -> str:
    return content_type.partition(";")[0].strip().lower()


def parse_json_object(body: bytes, url: str) -> dict:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FetchError(f"{url} did not return valid JSON") from exc
    if not isinstance(document, dict):
        raise FetchError(f"{url} did not return a JSON object")
    return document


def check_document_id(document: dict, final_url: str) -> None:
    """Refuse a document that claims to live on a host other than the one that served it.

    Anyone can serve any JSON; only the origin of an id vouches for its content
    (ActivityPub section 3.2, and the origin rule Mastodon and GoToSocial apply).
    """
    document_id = document.get("id")
    if not isinstance(document_id, str) or not document_id:
        raise FetchError(f"the document at {final_url} has no id")
    if document_id != final_url and not same_origin(document_id, final_url):
        raise FetchError(f"the document at {final_url} claims the foreign id {document_id}")


def split_acct(acct: str) -> tuple[str, str]:
    """`@user@domain` or `acct:user@domain` -> (user, domain)."""
    value = acct.strip().removeprefix("acct:").lstrip("@")
    user, _, domain = value.rpartition("@")
    if not user or not domain or "/" in domain or "@" in user:
        raise FetchError(f"not a user@domain address: {acct!r}")
    return user, domain.lower()


def self_link(jrd: dict) -> str | None:
    """The `self` link of a JRD whose type is an AS2 media type (Mastodon sends both forms)."""
    links = jrd.get("links")
    for link in links if isinstance(links, list) else []:
        if not isinstance(link, dict) or link.get("rel") != "self":
            continue
        href, media_type = link.get("href"), link.get("type")
        if isinstance(href, str) and isinstance(media_type, str) and is_as2_media_type(media_type) \
                and urlsplit(href).scheme in ("https", "http"):
            return href
    return None
