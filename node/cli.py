"""The `muralist` command: serve, worker, migrate, user management, and moderation (node/admin_cli.py).

Every mistake a user can make (a setting, a taken port, a bad name) ends as one
`muralist: error:` line and exit status 1, before anything is written where possible.
"""

import argparse
import asyncio
import errno
import logging
import signal
import socket
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from aiohttp import web

from generation.cli import generate_to_file
from generation.errors import GenerationError
from storage.errors import StorageError
from storage.db import create_sessionmaker
from storage.repositories import accounts as account_repo

from . import admin_cli
from .accounts import create_local_user, ensure_instance_actor
from .app import create_app
from .database import DatabaseReport, open_database
from .errors import NodeError
from .generator_config import check_generator, generator_options
from .settings import check_media_dir, load_settings
from .worker_processes import (announce_ready, child_processes_ctx, children_for, die_with_parent,
                               serving_beside, started_by_serve)


class CannotListen(NodeError):
    """`serve` cannot bind MURALIST_BIND: the port is taken, privileged, or the host is not ours."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="muralist", description="A federated node for AI-made images.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="apply migrations and run the web server and its worker processes")
    serve.add_argument("--workers", type=int, default=None, metavar="N",
                       help="worker processes beside the web server (default MURALIST_WORKERS: one per core "
                            "beyond the first; 0 runs the workers inside the web server)")
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("worker", help="run the inbox, delivery and generation workers without the web server")
    user = commands.add_parser("user", help="manage local users").add_subparsers(dest="user_command", required=True)
    create = user.add_parser("create", help="create a local user")
    create.add_argument("name")
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--admin", action="store_true")
    user.add_parser("list", help="list local users")
    admin_cli.add_parser(commands)
    generate = commands.add_parser("generate", help="make one image with the configured generator")
    generate.add_argument("prompt")
    generate.add_argument("--style", default=None, help="a style name (see /api/v1/generations/styles)")
    generate.add_argument("--size", default="1024x1024", help="WIDTHxHEIGHT")
    generate.add_argument("--seed", type=int, default=None)
    generate.add_argument("--remix", metavar="IMAGE", default=None, help="an image file to remix")
    generate.add_argument("--generator", default=None, help="procedural, openai, automatic1111, comfyui or diffusers "
                          "(default: MURALIST_GENERATOR)")
    generate.add_argument("-o", "--output", required=True, help="where to write the image")
    return parser


def _say(report: DatabaseReport, *, always: bool, stream=None) -> None:
    """Name the database a command opened: always for serve, worker and migrate; for the others
    when it was just created or migrated, or its path depends on the folder the command ran in."""
    if always or report.relative or report.changed:
        print(report.summary(), file=stream or sys.stdout, flush=True)


async def _migrate(settings) -> None:
    async with open_database(settings.database_url) as db:
        async with create_sessionmaker(db.engine)() as session:
            await ensure_instance_actor(session, settings)
            await session.commit()
    _say(db.report, always=True)


async def _user_create(settings, args) -> None:
    async with open_database(settings.database_url) as db:
        _say(db.report, always=False)
        async with create_sessionmaker(db.engine)() as session:
            await ensure_instance_actor(session, settings)
            user, account = await create_local_user(
                session, settings, username=args.name, email=args.email,
                password=args.password, admin=args.admin,
            )
            await session.commit()
    role = "admin" if user.admin else "user"
    print(f"created {role} @{account.username}@{settings.domain} ({account.actor_uri})")


async def _user_list(settings) -> None:
    async with open_database(settings.database_url) as db:
        # stderr: stdout is the tab-separated listing that scripts read.
        _say(db.report, always=False, stream=sys.stderr)
        async with create_sessionmaker(db.engine)() as session:
            rows = await account_repo.list_local_users(session)
    for user, account in rows:
        flags = " admin" if user.admin else ""
        flags += "" if user.approved else " pending"
        print(f"{account.username}\t{user.email}\t{account.actor_uri}{flags}")


def _serve(settings) -> None:
    if serving_beside():
        _serve_beside(settings)
        return
    # Bind first: a taken port must fail before the database is created or migrated.
    host, port = settings.bind_host_port()
    sockets = _bind(host, port, reuse_port=settings.web_process_count() > 1)
    try:
        check_media_dir(settings.media_dir)
        # A wrong generator setting (no server URL, an unreadable workflow or model folder)
        # stops serve here, before it says it serves, rather than at the first user's job.
        asyncio.run(check_generator(settings))
        asyncio.run(_migrate(settings))
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    listening = _address(host, sockets[0].getsockname()[1])
    workers, web_servers = settings.worker_processes(), settings.web_process_count() - 1
    with tempfile.TemporaryDirectory(prefix="muralist-") as folder:
        children = children_for(workers, web_servers)
        if children:
            # This process serves; the children process, deliver and generate, or serve from
            # the same socket, sharing committed changes with it (node/worker_processes.py).
            settings = replace(settings, run_workers=not workers, feed_socket=str(Path(folder) / "feed.sock"))
        app = create_app(settings)
        if children:
            app.cleanup_ctx.append(child_processes_ctx(children, settings.feed_socket))
        # run_app calls `print` once its sites accept connections (and its children run):
        # only then is the node serving.
        web.run_app(app, sock=sockets, print=lambda _text: print(
            f"Muralist is serving {settings.base_url} (listening on {listening})", flush=True))


def _serve_beside(settings) -> None:
    """One more web server on the address its `serve` bound (which migrated the database)."""
    die_with_parent()
    host, port = settings.bind_host_port()
    sockets = _bind(host, port, reuse_port=True)
    settings = replace(settings, run_workers=False, feed_hub=False)
    web.run_app(create_app(settings), sock=sockets, print=lambda _text: announce_ready())


def _bind(host: str, port: int, *, reuse_port: bool = False) -> list[socket.socket]:
    """Bound sockets on every address `host` resolves to, as asyncio's create_server binds them.
    With `reuse_port`, the node's other web servers bind the same address with sockets of their
    own, and the kernel spreads new connections evenly over them (one shared socket would
    leave them to whichever process wakes first)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CannotListen(f"MURALIST_BIND: cannot listen on {_address(host, port)}: {exc.strerror}; "
                           f"set it to a host:port of this machine") from None
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _name, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart despite TIME_WAIT
            if reuse_port:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        raise CannotListen(f"MURALIST_BIND: cannot listen on {_address(host, port)}: {exc.strerror or exc}; "
                           f"{_BIND_HINTS.get(exc.errno, 'set it to a host:port of this machine')}") from None
    return sockets


_BIND_HINTS = {
    errno.EADDRINUSE: "stop the program listening there or set MURALIST_BIND to a free port",
    errno.EACCES: "ports below 1024 need privileges; set MURALIST_BIND to a higher port",
}


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def _worker(settings) -> None:
    from .change_feed import open_feed
    from .committed_changes import CommitListeners, watch_sessions
    from .federation.runtime import start_federation
    from .workers import Workers

    if started_by_serve():
        die_with_parent()
    check_media_dir(settings.media_dir)
    async with open_database(settings.database_url) as db:
        engine = db.engine
        _say(db.report, always=True)
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker() as session:
            await ensure_instance_actor(session, settings)
            await session.commit()
        federation = await start_federation(settings, sessionmaker)
        # What this worker commits reaches the node's other processes (PostgreSQL only): the
        # web processes' streams, and every process's workers when it queued work.
        workers = Workers(settings, sessionmaker, federation)
        # The generator loads now (a diffusers pipeline): a broken model stops the worker here.
        await workers.generations.start()
        # Started by `serve`, the worker stops when its serving process is gone.
        feed = open_feed(engine, settings, hub=False, on_gone=workers.stop)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, workers.stop)
        commits = CommitListeners()
        commits.add(feed.send, local_only=True)
        commits.add(workers.committed)
        watch_sessions(sessionmaker, commits.local)
        await feed.listen(commits.remote)
        print(f"Muralist worker for {settings.base_url} is running", flush=True)
        announce_ready()  # a worker `serve` started: it waits for this before it says it serves
        try:
            await workers.run()
        finally:
            await feed.close()
            await federation.http.close()


async def _generate(settings, args) -> None:
    name = args.generator or settings.generator
    options = generator_options(settings, name)
    result = await generate_to_file(name, args.prompt, args.style, args.size, args.seed, args.output,
                                    options, source_path=args.remix)
    seed = "" if result.seed is None else f", seed {result.seed}"
    print(f"wrote {args.output} ({result.media_type}, {result.model}{seed})")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.INFO if args.command == "serve" else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = load_settings()
        if args.command == "serve" and args.workers is not None:
            settings = replace(settings, workers=args.workers)
            settings.__post_init__()  # checks the value as it checks MURALIST_WORKERS
        if args.command == "serve":
            _serve(settings)
        elif args.command == "migrate":
            asyncio.run(_migrate(settings))
        elif args.command == "worker":
            asyncio.run(_worker(settings))
        elif args.command == "generate":
            asyncio.run(_generate(settings, args))
        elif args.command == "admin":
            asyncio.run(admin_cli.run(settings, args))
        elif args.user_command == "create":
            asyncio.run(_user_create(settings, args))
        else:
            asyncio.run(_user_list(settings))
    except (NodeError, StorageError, GenerationError, OSError) as exc:
        # One line, whatever the message held (a driver's error may span several).
        print(f"muralist: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
