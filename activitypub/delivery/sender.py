"""Sending one delivery: sign, POST, and classify the answer into done, retry, final or gone.

Retry rules follow what Mastodon and GoToSocial do: 2xx is done; 410 means the actor is gone;
401, 408 and 429 are worth retrying (a key may not have propagated, a peer may be busy); any
other 4xx is final; 5xx and network errors are retried with exponential backoff over several
days, and a `Retry-After` answer sets the earliest next attempt.
"""

import asyncio
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from email.utils import parsedate_to_datetime

import aiohttp

from ..context import AS2_MEDIA_TYPE
from ..errors import FetchError
from ..netguard import check_url
from ..signatures import sign_request

RETRYABLE_4XX = {401, 408, 429}
MAX_ATTEMPTS = 16
BASE_DELAY = 60.0
MAX_DELAY = 12 * 3600.0


class Attempt(StrEnum):
    """What one delivery attempt came to (the row's state follows from it)."""

    DONE = "done"    # delivered
    RETRY = "retry"  # worth another try later
    FINAL = "final"  # refused for good; retrying cannot help
    GONE = "gone"    # the recipient is gone (410)


@dataclass
class Outcome:
    kind: Attempt
    status: int | None = None
    error: str = ""
    retry_after: datetime | None = None


def backoff(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failures; None once the cap is reached (about 5 days)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    delay = min(BASE_DELAY * 3 ** max(attempts - 1, 0), MAX_DELAY)
    return now + timedelta(seconds=delay * random.uniform(0.85, 1.15))


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=min(int(value), 86400))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return min(moment, now + timedelta(days=1))


async def post_activity(http: aiohttp.ClientSession, inbox_uri: str, body: bytes, key_id: str,
                        private_key_pem: str, *, allow_private: bool, timeout: float = 15.0) -> Outcome:
    """POST one signed activity and classify the answer; never raises for remote failures."""
    try:
        check_url(inbox_uri, allow_private)
    except FetchError as exc:
        return Outcome(Attempt.FINAL, error=str(exc))
    # An RSA-2048 signature is about a millisecond of CPU, the largest cost of a delivery;
    # OpenSSL does it without holding the GIL, so a thread lets a second core sign while
    # the event loop sends and reads.
    headers = await asyncio.to_thread(
        sign_request, "POST", inbox_uri, {"Content-Type": AS2_MEDIA_TYPE, "Accept": AS2_MEDIA_TYPE},
        body, key_id, private_key_pem)
    try:
        async with http.post(inbox_uri, data=body, headers=headers, allow_redirects=False,
                             timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            await response.content.read(64 * 1024)
            return classify(response.status, response.headers.get("Retry-After"))
    except (aiohttp.ClientError, asyncio.TimeoutError, FetchError, OSError) as exc:
        return Outcome(Attempt.RETRY, error=f"{exc.__class__.__name__}: {exc}")


def classify(status: int, retry_after: str | None, now: datetime | None = None) -> Outcome:
    now = now or datetime.now(timezone.utc)
    if 200 <= status < 300:
        return Outcome(Attempt.DONE, status)
    if status == 410:
        return Outcome(Attempt.GONE, status, error="410 Gone")
    if 400 <= status < 500 and status not in RETRYABLE_4XX:
        return Outcome(Attempt.FINAL, status, error=f"HTTP {status}")
    return Outcome(Attempt.RETRY, status, error=f"HTTP {status}", retry_after=parse_retry_after(retry_after, now))
