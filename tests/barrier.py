"""Forcing a race: hold concurrent fetches until all of them have arrived."""

import asyncio


def fetch_together(fetcher, count: int = 2, timeout: float = 10.0) -> list[str]:
    """Make `fetcher.get_json` answer only once `count` fetches have been made, so that the
    requests behind them all go on from the same point (each has fetched, none has stored).
    Answers the list the fetched URIs are appended to."""
    get_json, arrived, all_here = fetcher.get_json, [], asyncio.Event()

    async def held(uri: str, **kwargs) -> dict:
        document = await get_json(uri, **kwargs)
        arrived.append(uri)
        if len(arrived) == count:
            all_here.set()
        await asyncio.wait_for(all_here.wait(), timeout)
        return document

    fetcher.get_json = held
    return arrived
