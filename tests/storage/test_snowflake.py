"""Snowflake ids: time-ordered, unique, 64-bit."""

import time

from storage.snowflake import SnowflakeGenerator, id_for_time, id_to_unix_ms, new_id


def test_ids_increase_and_are_unique_within_a_millisecond():
    generator = SnowflakeGenerator()
    ids = [generator.next_id(at_ms=1_700_000_000_000) for _ in range(70_000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)


def test_ids_encode_their_creation_time_and_fit_in_bigint():
    before = int(time.time() * 1000)
    value = new_id()
    after = int(time.time() * 1000)
    assert before <= id_to_unix_ms(value) <= after + 1
    assert 0 < value < 2**63
    assert id_for_time(before / 1000) <= value


def test_a_later_millisecond_always_gives_a_larger_id():
    generator = SnowflakeGenerator()
    first = [generator.next_id(at_ms=1000) for _ in range(10)]
    second = generator.next_id(at_ms=1001)
    assert second > max(first)
