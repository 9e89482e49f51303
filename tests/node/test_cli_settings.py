"""An unusable database URL or media folder stops `muralist` with one `muralist: error:` line that
names the setting and the fix, exit status 1, and nothing created."""

import os
import subprocess
import sys

import pytest

from node.cli import main
from node.errors import ConfigError
from node.settings import Settings, check_media_dir


def _one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("muralist: error:"), captured.err
    assert "Traceback" not in captured.out + captured.err
    return lines[0]


@pytest.mark.parametrize("url, fix", [
    ("mysql://root@localhost/muralist", "sqlite+aiosqlite:///"),
    ("mysql+aiomysql://root@localhost/muralist", "postgresql+asyncpg://"),
    ("http://example.org/db", "sqlite+aiosqlite:///"),
    ("sqlite:///data/muralist.db", "sqlite+aiosqlite:///data/muralist.db"),
    ("sqlite+pysqlite:///data/muralist.db", "sqlite+aiosqlite:///data/muralist.db"),
    ("postgresql://me@db.example/muralist", "postgresql+asyncpg://me@db.example/muralist"),
    ("postgres://me@db.example/muralist", "postgresql+asyncpg://me@db.example/muralist"),
    ("postgresql+psycopg://me@db.example/muralist", "postgresql+asyncpg://me@db.example/muralist"),
    ("not a url", "sqlite+aiosqlite:///"),
    ("", "sqlite+aiosqlite:///"),
    ("postgresql+asyncpg://me@db.example:port/muralist", "postgresql+asyncpg://"),
])
@pytest.mark.parametrize("command", [["migrate"], ["user", "list"], ["serve"], ["worker"]])
def test_an_unusable_database_url_is_one_line_naming_the_setting_and_the_fix(
        monkeypatch, tmp_path, capsys, url, fix, command):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MURALIST_DATABASE_URL", url)
    assert main(command) == 1
    error = _one_error_line(capsys)
    assert "MURALIST_DATABASE_URL" in error and fix in error
    assert list(tmp_path.iterdir()) == []  # no data/ folder, no database file


def test_a_password_in_a_refused_url_is_not_repeated(monkeypatch, capsys):
    monkeypatch.setenv("MURALIST_DATABASE_URL", "postgresql://me:hunter2secret@db.example/muralist")
    assert main(["migrate"]) == 1
    assert "hunter2secret" not in _one_error_line(capsys)
    monkeypatch.setenv("MURALIST_DATABASE_URL", "postgresql+asyncpg://me:hunter2secret@db.example:port/muralist")
    assert main(["migrate"]) == 1
    assert "hunter2secret" not in _one_error_line(capsys)


def test_settings_accept_the_two_supported_drivers():
    Settings(database_url="sqlite+aiosqlite:///data/muralist.db")
    Settings(database_url="postgresql+asyncpg://postgres@127.0.0.1:5432/muralist")
    with pytest.raises(ConfigError, match="MURALIST_DATABASE_URL"):
        Settings(database_url="mysql://root@localhost/muralist")


def _media_dir_cases(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    return {"a file": blocker, "under a file": blocker / "media"}


@pytest.mark.parametrize("case", ["a file", "under a file"])
def test_an_unusable_media_folder_is_refused(tmp_path, case):
    with pytest.raises(ConfigError, match="MURALIST_MEDIA_DIR"):
        check_media_dir(str(_media_dir_cases(tmp_path)[case]))


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_a_read_only_media_folder_is_refused(tmp_path):
    media = tmp_path / "media"
    media.mkdir(mode=0o500)
    try:
        with pytest.raises(ConfigError, match="MURALIST_MEDIA_DIR"):
            check_media_dir(str(media))
    finally:
        media.chmod(0o700)


def test_a_usable_media_folder_is_created_and_left_clean(tmp_path):
    media = tmp_path / "data" / "media"
    check_media_dir(str(media))
    assert media.is_dir() and list(media.iterdir()) == []


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_serve_and_worker_refuse_an_unusable_media_folder_before_touching_the_database(tmp_path, command):
    # A subprocess: without the check, these commands would run until stopped.
    media = _media_dir_cases(tmp_path)["under a file"]
    database = tmp_path / "db" / "muralist.db"
    env = dict(os.environ, MURALIST_DATABASE_URL=f"sqlite+aiosqlite:///{database}", MURALIST_MEDIA_DIR=str(media),
               MURALIST_BIND="127.0.0.1:0")
    done = subprocess.run([sys.executable, "-m", "node.cli", command], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("muralist: error: MURALIST_MEDIA_DIR"), done.stderr
    assert str(media) in lines[0] and "serving" not in done.stdout
    assert not database.parent.exists()
