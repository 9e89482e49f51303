"""Driving the web pages from tests as a browser would, without one: an aiohttp client keeps
the cookies, forms are sent with the token their page carries, and answers are parsed into tags."""

from node import context
from node.workers import WORKERS
from tests.web.html_scan import Tags

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def get_page(client, path: str, status: int = 200) -> tuple[str, Tags]:
    response = await client.get(path, headers=BROWSER, allow_redirects=False)
    text = await response.text()
    assert response.status == status, f"{path}: {response.status} {text[-1500:]}"
    return text, Tags(text)


def token_of(tags: Tags) -> str:
    return tags.all("input", name="csrf_token")[0]["value"]


async def submit(client, page_path: str, action: str, fields: dict, *, status: int = 303):
    """Load `page_path`, then post `fields` to `action` with the page's form token, as its form does."""
    _text, tags = await get_page(client, page_path)
    response = await client.post(action, data={"csrf_token": token_of(tags), **fields}, headers=BROWSER,
                                 allow_redirects=False)
    text = await response.text()
    assert response.status == status, f"{action}: {response.status} {text[-1500:]}"
    return response, text


async def sign_up(client, username: str, password: str = "a long password") -> None:
    response, _text = await submit(client, "/sign-up", "/sign-up", {
        "username": username, "email": f"{username}@example.org", "password": password, "agreement": "on",
    })
    assert response.headers["Location"] == "/create"


async def settle(app) -> None:
    for _ in range(20):
        if not await app[WORKERS].settle_once():
            return


def session_of(app):
    return app[context.SESSIONMAKER]()
