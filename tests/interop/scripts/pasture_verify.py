"""Runs fediverse-pasture's verify_actor service on a loopback port, for the interop tests.

Run with the interop virtualenv's Python, from a scratch directory (pasture keeps its
generated actors and keys in ./data.toml):

    .venv-interop/bin/python tests/interop/scripts/pasture_verify.py --port 8124

It serves pasture's test actors (alice, bob, claire, dean, emily, frank: some need signed
fetches of their actor, some sign their inbox POSTs) over plain http on 127.0.0.1, prints one
JSON line {"ready": true, "base_url", "actors": {name: {"uri", ...flags}}} and then reads one
JSON command a line on stdin, answering each with one JSON line on stdout:

    {"op": "verify", "actor_uri": URI} -> {"ok": true, "result": {...}, "messages": [...]}

`verify` asks the running service itself (GET /?actor_uri=..., Accept: application/json),
exactly as the verify_actor web page does: every test actor fetches the remote actor and
POSTs to its inbox, signed or not, and reports what succeeded.
"""

import argparse
import asyncio
import json
import logging
import sys

import aiohttp
from hypercorn.asyncio import serve
from hypercorn.config import Config

import offline_jsonld


def actor_table(base_url: str) -> dict:
    from fediverse_pasture.data_provider import DataProvider

    provider = DataProvider.load()
    return {
        actor.actor_name: {
            "uri": f"{base_url}/{actor.actor_name}",
            "user_part": actor.user_part,
            "requires_signed_get_for_actor": actor.requires_signed_get_for_actor,
            "requires_signed_post_for_inbox": actor.requires_signed_post_for_inbox,
        }
        for actor in provider.possible_actors
    }


async def verify(base_url: str, actor_uri: str) -> dict:
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(f"{base_url}/", params={"actor_uri": actor_uri},
                               headers={"accept": "application/json"}) as response:
            response.raise_for_status()
            answer = await response.json()
    return {"result": answer["result"], "messages": json.loads(answer["messages"])}


async def wait_listening(base_url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.get(f"{base_url}/.well-known/webfinger") as response:
                    await response.read()
                    return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
    raise RuntimeError("the verify_actor service did not start listening")


async def commands(base_url: str, stop: asyncio.Event) -> None:
    await wait_listening(base_url)
    print(json.dumps({"ready": True, "base_url": base_url, "actors": actor_table(base_url)}), flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        if not line.strip():
            continue
        try:
            command = json.loads(line)
            if command.get("op") != "verify":
                raise ValueError(f"unknown op {command.get('op')!r}")
            answer = {"ok": True, **await verify(base_url, command["actor_uri"])}
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the test
            logging.exception("command failed: %s", line.strip())
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)
    stop.set()


async def run(port: int, timeout: float) -> None:
    from fediverse_pasture.verify_actor import build_app

    base_url = f"http://127.0.0.1:{port}"
    # https=False: the test actors' ids are http://127.0.0.1:PORT/<name>.
    app = build_app(False, f"127.0.0.1:{port}", False, timeout)
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    # Loggers rather than "-": hypercorn writes "-" to stdout, which carries the JSON lines.
    config.accesslog = logging.getLogger("hypercorn.access")
    config.errorlog = logging.getLogger("hypercorn.error")
    stop = asyncio.Event()
    console = asyncio.create_task(commands(base_url, stop))
    console.add_done_callback(lambda _task: stop.set())
    await serve(app, config, shutdown_trigger=stop.wait)
    await console


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=10, help="pasture's per-request timeout in seconds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    offline_jsonld.install()
    asyncio.run(run(args.port, args.timeout))


if __name__ == "__main__":
    main()
