"""Mastodon-style snowflake ids: milliseconds since the Unix epoch shifted left 16 bits, plus a sequence.

Ids sort by creation time, fit in a signed 64-bit BIGINT, and are sent to clients as strings.
The low 16 bits start at a random point each millisecond so that a web process and a
worker process minting ids in the same millisecond are unlikely to collide.
"""

import secrets
import threading
import time

_SEQUENCE_BITS = 16
_SEQUENCE_MASK = (1 << _SEQUENCE_BITS) - 1


class SnowflakeGenerator:
    """Hands out strictly increasing ids within one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._sequence = 0

    def next_id(self, at_ms: int | None = None) -> int:
        with self._lock:
            now_ms = at_ms if at_ms is not None else int(time.time() * 1000)
            if now_ms > self._last_ms:
                self._last_ms = now_ms
                # Start in the lower half so a burst in one millisecond has room to count up.
                self._sequence = secrets.randbelow(1 << (_SEQUENCE_BITS - 1))
            else:
                self._sequence += 1
                if self._sequence > _SEQUENCE_MASK:
                    # This millisecond is used up: borrow the next one.
                    self._last_ms += 1
                    self._sequence = 0
            return (self._last_ms << _SEQUENCE_BITS) | self._sequence


_generator = SnowflakeGenerator()


def new_id() -> int:
    """A fresh id for a row created now."""
    return _generator.next_id()


def id_for_time(unix_seconds: float) -> int:
    """The smallest id a row created at that moment could have (for time-bounded queries)."""
    return int(unix_seconds * 1000) << _SEQUENCE_BITS


def id_to_unix_ms(snowflake: int) -> int:
    return snowflake >> _SEQUENCE_BITS
