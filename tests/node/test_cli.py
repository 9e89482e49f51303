"""The `muralist` command: user management, clear errors, and `serve` answering for a user."""

import os
import socket
import subprocess
import sys
import urllib.request

import pytest

from node.cli import main

from tests.conftest import run_sync


@pytest.fixture
def cli_env(monkeypatch, database_url):
    monkeypatch.setenv("MURALIST_DATABASE_URL", database_url)
    monkeypatch.setenv("MURALIST_DOMAIN", "cli.test")
    return database_url


def _users(database_url):
    from storage.db import create_engine, create_sessionmaker
    from storage.repositories.accounts import list_local_users

    async def _list():
        engine = create_engine(database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                return [(u.email, a.username, u.admin, u.password_hash) for u, a in await list_local_users(session)]
        finally:
            await engine.dispose()

    return run_sync(_list)


def test_user_create_and_list(cli_env, capsys):
    assert main(["user", "create", "alice", "--email", "Alice@Example.org", "--password", "s3cret-pass", "--admin"]) == 0
    assert "@alice@cli.test" in capsys.readouterr().out
    assert main(["user", "create", "bob", "--email", "bob@example.org", "--password", "another-pass"]) == 0
    capsys.readouterr()
    assert main(["user", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in listing] == ["alice", "bob"]
    assert listing[0].endswith("admin")
    users = _users(cli_env)
    assert users[0][0] == "alice@example.org"
    # A real password hash, never the password.
    assert users[0][3].startswith("$argon2id$") and "s3cret-pass" not in users[0][3]


def test_a_database_of_another_domain_is_refused(cli_env, capsys, monkeypatch):
    assert main(["user", "create", "alice", "--email", "a@example.org", "--password", "long-enough"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("MURALIST_DOMAIN", "elsewhere.test")
    assert main(["user", "create", "bob", "--email", "b@example.org", "--password", "long-enough"]) == 1
    error = capsys.readouterr().err
    assert "belongs to the node at https://cli.test" in error and "elsewhere.test" in error
    assert [row[1] for row in _users(cli_env)] == ["alice"]


@pytest.mark.parametrize("argv, message", [
    (["user", "create", "bad name", "--email", "x@example.org", "--password", "long-enough"], "invalid username"),
    (["user", "create", "carol", "--email", "not-an-email", "--password", "long-enough"], "invalid email"),
    (["user", "create", "carol", "--email", "c@example.org", "--password", "short"], "at least 8"),
    (["user", "create", "admin", "--email", "c@example.org", "--password", "long-enough"], "reserved"),
])
def test_bad_input_is_one_clear_line_and_nothing_written(cli_env, capsys, argv, message):
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("muralist: error:") and message in err[0]
    assert _users(cli_env) == []


def test_duplicates_are_refused_and_leave_nothing_behind(cli_env, capsys):
    assert main(["user", "create", "dana", "--email", "dana@example.org", "--password", "long-enough"]) == 0
    assert main(["user", "create", "DANA", "--email", "other@example.org", "--password", "long-enough"]) == 1
    assert "already taken" in capsys.readouterr().err
    assert main(["user", "create", "erin", "--email", "DANA@example.org", "--password", "long-enough"]) == 1
    assert "already in use" in capsys.readouterr().err
    assert [u[1] for u in _users(cli_env)] == ["dana"]


def test_unreachable_database_is_one_clear_line(monkeypatch, capsys):
    monkeypatch.setenv("MURALIST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:1/none")
    assert main(["migrate"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot open database" in err[0] and "MURALIST_DATABASE_URL" in err[0]


def test_bad_setting_is_one_clear_line(monkeypatch, capsys):
    monkeypatch.setenv("MURALIST_REGISTRATIONS", "sometimes")
    assert main(["migrate"]) == 1
    assert "MURALIST_REGISTRATIONS" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_for_a_created_user(empty_database_url, tmp_path):
    port = _free_port()
    env = dict(os.environ, MURALIST_DATABASE_URL=empty_database_url, MURALIST_SCHEME="http",
               MURALIST_DOMAIN=f"127.0.0.1:{port}", MURALIST_BIND=f"127.0.0.1:{port}",
               MURALIST_MEDIA_DIR=str(tmp_path / "media"))
    command = [sys.executable, "-m", "node.cli"]
    subprocess.run(command + ["user", "create", "zoe", "--email", "zoe@example.org", "--password", "long-enough"],
                   env=env, check=True, capture_output=True)
    server = subprocess.Popen(command + ["serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        while not any("Muralist is serving" in line for line in lines):
            lines.append(server.stdout.readline())
            assert lines[-1], f"serve stopped: {lines}"
        assert f"Muralist is serving http://127.0.0.1:{port} (listening on 127.0.0.1:{port})" in lines[-1]
        # Once it says so, it serves: the first request is answered, with no waiting and retrying.
        request = urllib.request.Request(f"http://127.0.0.1:{port}/users/zoe", headers={"Accept": "application/activity+json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode()
            assert response.headers["Content-Type"].startswith("application/activity+json")
        assert f'"id": "http://127.0.0.1:{port}/users/zoe"' in body
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_on_a_taken_port_is_one_line_and_creates_no_database(empty_database_url, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = dict(os.environ, MURALIST_DATABASE_URL=empty_database_url, MURALIST_BIND=f"127.0.0.1:{port}",
                   MURALIST_MEDIA_DIR=str(tmp_path / "media"))
        # A subprocess with a timeout: a serve that did bind would run until stopped.
        done = subprocess.run([sys.executable, "-m", "node.cli", "serve"], env=env, capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("muralist: error: MURALIST_BIND:"), done.stderr
    assert f"127.0.0.1:{port}" in lines[0] and "in use" in lines[0]
    assert current_revision_of(empty_database_url) is None and not (tmp_path / "media").exists()


def current_revision_of(url: str) -> str | None:
    """The migration revision of the database at `url`; None if empty or (SQLite) not there."""
    from sqlalchemy.engine import make_url

    from storage.db import create_engine
    from storage.migrate import current_revision

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not os.path.exists(parsed.database):
        return None

    async def _read():
        engine = create_engine(url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    return run_sync(_read)
