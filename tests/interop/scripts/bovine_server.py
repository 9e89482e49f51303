"""Runs bovine-herd on a loopback port with one registered user, for the interop tests.

Run with the interop virtualenv's Python:

    .venv-interop/bin/python tests/interop/scripts/bovine_server.py --port 8123 --db /tmp/b.sqlite3

bovine-herd builds every URL from the request it serves (bovine_herd.server.utils.
path_from_request), and `BovineAdminStore(domain="http://host:port")` registers the user's
endpoints with an explicit scheme, so plain http on 127.0.0.1 works without TLS.

The user signs its client-to-server requests with Moo-Auth-1: an Ed25519 key whose did:key is
attached to the actor as an identity. Once the user exists the script prints one JSON line
on stdout, {"ready": true, "base_url", "actor_id", "handle", "secret"}, and serves until it
is terminated or its stdin is closed. Logs go to stderr.
"""

import argparse
import asyncio
import json
import logging
import sys

from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart

from bovine.crypto import generate_ed25519_private_key, private_key_to_did_key
from bovine_herd import BovineHerd
from bovine_store import BovineAdminStore

import offline_jsonld


def build_app(base_url: str, db_path: str, handle: str) -> Quart:
    app = Quart("bovine_interop")
    BovineHerd(app, db_url=f"sqlite://{db_path}")
    secret = generate_ed25519_private_key()

    # Registered after BovineHerd's own hooks, so Tortoise is initialised when this runs.
    @app.before_serving
    async def register_user():
        store = BovineAdminStore(domain=base_url)
        bovine_name = await store.register(handle)
        await store.add_identity_string_to_actor(bovine_name, "interop-client", private_key_to_did_key(secret))
        # The app's store shares the app's HTTP session (the admin store would open another).
        actor = await app.config["bovine_store"].actor_for_name(bovine_name)
        announce = {"ready": True, "base_url": base_url, "actor_id": actor.actor_object.id,
                    "handle": handle, "secret": secret}
        print(json.dumps(announce), flush=True)

    return app


async def stdin_closed() -> None:
    """Serve until stdin reaches its end: the test closes it, or the test process is gone."""
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True, help="path of the SQLite file bovine-herd stores into")
    parser.add_argument("--handle", default="milkdrop")
    args = parser.parse_args()

    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    offline_jsonld.install()
    base_url = f"http://127.0.0.1:{args.port}"
    config = Config()
    config.bind = [f"127.0.0.1:{args.port}"]
    # Loggers rather than "-": hypercorn writes "-" to stdout, which carries the JSON line.
    config.accesslog = logging.getLogger("hypercorn.access")
    config.errorlog = logging.getLogger("hypercorn.error")
    asyncio.run(serve(build_app(base_url, args.db, args.handle), config, shutdown_trigger=stdin_closed))


if __name__ == "__main__":
    main()
