"""The content-addressed store: layout, dedup, atomic writes, path checks."""

import hashlib
import os
import stat

import pytest

from storage.errors import NotFound
from storage.media import (
    InvalidMediaPath,
    MediaStore,
    media_type_of,
    process_image,
    relative_path,
    url_path,
)
from storage.media import store as store_module


@pytest.fixture
def store(tmp_path):
    return MediaStore(tmp_path / "media")


@pytest.fixture
def processed(png_bytes):
    return process_image(png_bytes)


def test_save_lays_files_out_by_hash(store, processed):
    stored = store.save(processed)
    sha = processed.sha256
    assert stored.original_path == f"{sha[:2]}/{sha[2:4]}/{sha}.png"
    assert stored.preview_path.endswith(".webp")
    assert store.read_bytes(stored.original_path) == processed.original_bytes
    preview = store.read_bytes(stored.preview_path)
    assert stored.preview_path.split("/")[-1] == hashlib.sha256(preview).hexdigest() + ".webp"
    assert (stored.width, stored.blurhash, stored.focus) == (64, processed.blurhash, (0.0, 0.0))
    assert stored.original_size == len(processed.original_bytes)
    mode = (store.root / stored.original_path).stat().st_mode
    assert stat.S_IMODE(mode) == 0o644


def test_same_bytes_twice_is_a_noop(store, processed, monkeypatch):
    first = store.save(processed)
    writes = []
    monkeypatch.setattr(store_module, "_write_atomic", lambda *args: writes.append(args))
    assert store.save(processed) == first
    assert writes == []


def test_failed_write_leaves_nothing(store, processed, monkeypatch):
    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(store_module.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.save(processed)
    assert [p for p in store.root.rglob("*") if p.is_file()] == []


def test_no_temporary_files_left(store, processed):
    store.save(processed)
    names = [p.name for p in store.root.rglob("*") if p.is_file()]
    assert len(names) == 2 and not any(n.startswith(".") for n in names)


@pytest.mark.parametrize(
    "path",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "ab/cd/../../../secret.png",
        "ab/cd/" + "ab" + "0" * 62 + ".png",  # second pair does not match
        "AB/CD/" + "abcd" + "0" * 60 + ".png",
        "ab/cd/abcd" + "0" * 60 + ".svg",
        "ab/cd/.tmp-abc",
        "ab\\cd\\abcd" + "0" * 60 + ".png",
        "ab/cd/abcd" + "0" * 60 + ".png\n",
        "",
    ],
)
def test_traversal_and_foreign_paths_refused(store, path):
    with pytest.raises(InvalidMediaPath):
        store.open_path(path)


def test_missing_file_is_not_found(store):
    with pytest.raises(NotFound):
        store.open_path(relative_path("ab" * 32, "image/jpeg"))


def test_url_path_and_media_type(store, processed):
    stored = store.save(processed)
    assert url_path(stored.original_path) == "/media/" + stored.original_path
    assert url_path(stored.preview_path, "/files/") == "/files/" + stored.preview_path
    assert media_type_of(stored.preview_path) == "image/webp"
    with pytest.raises(InvalidMediaPath):
        url_path("../x.png")


def test_relative_path_refuses_unknown_type():
    with pytest.raises(InvalidMediaPath):
        relative_path("ab" * 32, "image/gif")


def test_concurrent_writers_of_same_bytes(store, processed, tmp_path):
    # Both writers see "not there yet"; os.replace makes the second harmless.
    target = store.root / relative_path(processed.sha256, "image/png")
    store_module._write_atomic(target, processed.original_bytes)
    store_module._write_atomic(target, processed.original_bytes)
    assert target.read_bytes() == processed.original_bytes
    assert len(os.listdir(target.parent)) == 1
