"""Fixtures for the interop tests: bovine-herd and fediverse-pasture running beside our nodes,
each in its own process from .venv-interop (see interop_peers.py)."""

import pytest

from tests.interop.interop_peers import BovinePeer, PasturePeer, interop_python


@pytest.fixture
async def bovine(tmp_path):
    interop_python()
    peer = BovinePeer(tmp_path / "bovine")
    try:
        yield await peer.start()
    finally:
        await peer.stop()


@pytest.fixture
async def pasture(tmp_path):
    interop_python()
    peer = PasturePeer(tmp_path / "pasture")
    try:
        yield await peer.start()
    finally:
        await peer.stop()
