"""`muralist` says which database it opened and what migrating it did, and database failures are
one line: a relative SQLite path is shown absolute too, a fresh database says it was migrated."""

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from node.cli import main
from storage.db import create_engine
from storage.migrate import alembic_config, head_revision

from tests.conftest import run_sync


@pytest.fixture
def relative_database(monkeypatch, tmp_path):
    """MURALIST_DATABASE_URL naming data/muralist.db under the folder the command runs in."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MURALIST_DATABASE_URL", "sqlite+aiosqlite:///data/muralist.db")
    monkeypatch.setenv("MURALIST_DOMAIN", "cli.test")
    return f"data/muralist.db ({tmp_path}/data/muralist.db)"


def test_a_fresh_relative_database_says_where_it_is_and_that_it_was_migrated(relative_database, capsys):
    assert main(["migrate"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"created the database {relative_database} and applied migrations up to {head_revision()}"]
    assert main(["migrate"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"using the database {relative_database}, already migrated up to {head_revision()}"]


def test_user_commands_name_a_relative_database(relative_database, capsys):
    assert main(["user", "create", "ada", "--email", "ada@example.org", "--password", "long-enough"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"created the database {relative_database} and applied migrations up to {head_revision()}"
    assert out[1].startswith("created user @ada@cli.test")
    assert main(["user", "list"]) == 0
    captured = capsys.readouterr()
    # The listing stays tab-separated rows alone; the note goes to stderr.
    assert [line.split("\t")[0] for line in captured.out.splitlines()] == ["ada"]
    assert captured.err.strip() == f"using the database {relative_database}, already migrated up to {head_revision()}"


def test_an_empty_database_says_it_was_migrated(monkeypatch, empty_database_url, capsys):
    monkeypatch.setenv("MURALIST_DATABASE_URL", empty_database_url)
    assert main(["user", "create", "ada", "--email", "ada@example.org", "--password", "long-enough"]) == 0
    note = capsys.readouterr().out.splitlines()[0]
    if empty_database_url.startswith("sqlite"):  # the file does not exist yet
        assert note == f"created the database {_shown(empty_database_url)} and applied migrations up to {head_revision()}"
    else:
        assert note == f"applied migrations up to {head_revision()} to the empty database {_shown(empty_database_url)}"
    # An absolute path or a server URL that is up to date needs no note outside serve, worker, migrate.
    assert main(["user", "create", "bob", "--email", "bob@example.org", "--password", "long-enough"]) == 0
    assert capsys.readouterr().out.startswith("created user @bob@")


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.database if parsed.get_backend_name() == "sqlite" else parsed.render_as_string(hide_password=True)


def _downgrade(url: str, revision: str) -> None:
    from alembic import command

    async def _go():
        engine = create_engine(url)
        config = alembic_config()

        def _down(sync_connection):
            config.attributes["connection"] = sync_connection
            command.downgrade(config, revision)

        try:
            async with engine.begin() as connection:
                await connection.run_sync(_down)
        finally:
            await engine.dispose()

    run_sync(_go)


def _set_revision(url: str, revision: str) -> None:
    async def _go():
        engine = create_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        finally:
            await engine.dispose()

    run_sync(_go)


def test_an_older_database_says_which_migrations_ran(monkeypatch, database_url, capsys):
    head = head_revision()
    # The revision before head as the chain says (numbers may skip while branches are merged).
    previous = ScriptDirectory.from_config(alembic_config()).get_revision(head).down_revision
    _downgrade(database_url, previous)
    monkeypatch.setenv("MURALIST_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    assert capsys.readouterr().out.strip() == f"migrated the database {_shown(database_url)} from {previous} to {head}"


def test_a_database_from_a_newer_muralist_is_one_line(monkeypatch, database_url, capsys):
    _set_revision(database_url, "9999")
    monkeypatch.setenv("MURALIST_DATABASE_URL", database_url)
    assert main(["migrate"]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("muralist: error:") and "Traceback" not in captured.err
    assert "9999" in lines[0] and f"up to {head_revision()}" in lines[0] and _shown(database_url) in lines[0]


def test_a_folder_named_as_the_sqlite_file_is_one_line(monkeypatch, tmp_path, capsys):
    (tmp_path / "muralist.db").mkdir()  # a folder where the file should be
    monkeypatch.setenv("MURALIST_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/muralist.db")
    assert main(["user", "list"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("muralist: error: MURALIST_DATABASE_URL:")
    assert f"{tmp_path}/muralist.db is a folder" in lines[0]


def test_a_database_folder_blocked_by_a_file_is_one_line(monkeypatch, tmp_path, capsys):
    (tmp_path / "data").write_text("not a folder")
    monkeypatch.setenv("MURALIST_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/data/muralist.db")
    assert main(["migrate"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("muralist: error: MURALIST_DATABASE_URL:")
    assert f"{tmp_path}/data" in lines[0] and "in the way" in lines[0]
