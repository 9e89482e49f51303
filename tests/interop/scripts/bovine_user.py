"""Acts as the bovine-herd user through bovine's own client, for the interop tests.

Run with the interop virtualenv's Python:

    .venv-interop/bin/python tests/interop/scripts/bovine_user.py --domain http://127.0.0.1:8123 --secret z3u2...

It logs in with `BovineClient` (Moo-Auth-1, the Ed25519 secret printed by bovine_server.py)
and reads one JSON command a line on stdin, answering each with one JSON line on stdout:

    {"op": "whoami"}                       -> {"ok": true, "actor": {...the actor document...}}
    {"op": "follow", "target": URI}        -> {"ok": true, "id": URI of the Follow}
    {"op": "accept", "activity": {...}}    -> {"ok": true, "id": URI of the Accept} (object: the id)
    {"op": "post", "content": HTML}        -> {"ok": true, "id": URI of the Create, "object": URI of the Note}
    {"op": "like", "object": URI, "author": URI} -> {"ok": true, "id": URI of the Like}
    {"op": "collection", "name": "inbox"|"outbox"|"followers"|"following"} -> {"ok": true, "items": [...]}
    {"op": "fetch", "id": URI}             -> {"ok": true, "object": {...}} (through the proxyUrl endpoint)

Every activity goes through the user's outbox (ActivityPub client-to-server); bovine-herd
then delivers it, signed, to the recipients. A failed command answers {"ok": false, "error"}.
"""

import argparse
import asyncio
import json
import logging
import sys

from bovine import BovineClient

import offline_jsonld


def _location(response) -> str:
    if response.status >= 400:
        raise RuntimeError(f"the outbox answered {response.status}")
    return response.headers["location"]


async def _collection(client: BovineClient, name: str) -> list:
    """The items of one of the user's collections (a GET with Moo-Auth-1); inbox and outbox
    items are resolved into objects through the proxyUrl endpoint."""
    collection = await client.get(client.information[name])
    if "first" in collection:
        collection = await client.get(collection["first"])
    items = collection.get("orderedItems", collection.get("items", []))
    if name in ("inbox", "outbox"):
        items = [item if isinstance(item, dict) else await client.proxy(item) for item in items]
    return items


async def run_command(client: BovineClient, command: dict) -> dict:
    activity_factory, object_factory = client.factories
    op = command["op"]
    if op == "whoami":
        return {"actor": client.information}
    if op == "follow":
        follow = activity_factory.follow(command["target"]).build()
        return {"id": _location(await client.send_to_outbox(follow))}
    if op == "accept":
        accept = activity_factory.accept(command["activity"]).build()
        return {"id": _location(await client.send_to_outbox(accept))}
    if op == "post":
        note = object_factory.note(content=command["content"]).as_public().build()
        create_uri = _location(await client.send_to_outbox(activity_factory.create(note).build()))
        create = await client.proxy(create_uri)
        note_ref = create.get("object")
        return {"id": create_uri, "object": note_ref.get("id") if isinstance(note_ref, dict) else note_ref}
    if op == "like":
        like = activity_factory.like(command["object"], to={command["author"]}).build()
        return {"id": _location(await client.send_to_outbox(like))}
    if op == "collection":
        return {"items": await _collection(client, command["name"])}
    if op == "fetch":
        return {"object": await client.proxy(command["id"])}
    raise ValueError(f"unknown op {op!r}")


async def console(domain: str, secret: str) -> None:
    loop = asyncio.get_running_loop()
    async with BovineClient(domain=domain, secret=secret) as client:
        print(json.dumps({"ok": True, "ready": True, "actor_id": client.actor_id}), flush=True)
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            if not line.strip():
                continue
            try:
                answer = {"ok": True, **await run_command(client, json.loads(line))}
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the test
                logging.exception("command failed: %s", line.strip())
                answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(answer), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", required=True, help="the bovine-herd base URL, http://127.0.0.1:PORT")
    parser.add_argument("--secret", required=True, help="the user's Ed25519 secret (multibase)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    offline_jsonld.install()
    asyncio.run(console(args.domain, args.secret))


if __name__ == "__main__":
    main()
