"""The fuzz suite's node (one per test module, see tests/fuzz/live.py) and its Hypothesis settings.

MURALIST_FUZZ_EXAMPLES sets the examples per route (default 25, what `make test` runs); raise it
for a longer hunt, e.g. `MURALIST_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/fuzz`.
Each route draws from a seed of its own name, so a run draws the same requests every time and
CI is repeatable; MURALIST_FUZZ_SEED=random (or a number) draws others, to hunt further.
"""

import os
import random
import zlib

import pytest
from hypothesis import HealthCheck, seed, settings

from tests.fuzz.live import FuzzNode
from tests.fuzz.seed import seed_node
from tests.fuzz.templates import templates

EXAMPLES = int(os.environ.get("MURALIST_FUZZ_EXAMPLES", "25"))

settings.register_profile(
    "muralist-fuzz",
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)


SEED = os.environ.get("MURALIST_FUZZ_SEED", "")


def fuzz_settings(examples: int, name: str):
    """Settings and seed for one route's search, as one decorator."""
    base = int(SEED) if SEED.isdigit() else random.randrange(2**32) if SEED == "random" else 0
    chosen = settings(settings.get_profile("muralist-fuzz"), max_examples=max(1, examples))

    def decorate(test):
        return seed(base ^ zlib.crc32(name.encode()))(chosen(test))

    return decorate


@pytest.fixture(scope="module")
def fuzz_node(tmp_path_factory):
    node = FuzzNode(tmp_path_factory.mktemp("fuzz"))
    try:
        node.start()
        seed_node(node)
        node.templates = templates(node)
        yield node
    finally:
        node.close()


def pytest_terminal_summary(terminalreporter):
    """With MURALIST_FUZZ_REPORT=1, how each fuzzed route answered (status: count)."""
    from tests.fuzz.check import INBOX_FAILURES, STATUSES

    if not os.environ.get("MURALIST_FUZZ_REPORT") or not STATUSES:
        return
    terminalreporter.section("fuzzed routes: answers by status")
    for route, counts in sorted(STATUSES.items()):
        shown = ", ".join(f"{status}: {count}" for status, count in sorted(counts.items()))
        terminalreporter.write_line(f"{route:<60} {shown}")
    if INBOX_FAILURES:
        terminalreporter.section("inbox items that failed processing (type: exception)")
        for failure, count in INBOX_FAILURES.most_common():
            terminalreporter.write_line(f"{count:>5}  {failure}")
