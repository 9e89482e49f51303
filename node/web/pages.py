"""HTML pages: the front page and account profiles. Kept plain; clients are where people work."""

from html import escape

from aiohttp import web

from storage.errors import NotFound
from storage.models import Account
from storage.repositories import accounts as account_repo

from .. import context
from ..routing import add_routes
from ..version import __version__

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>{head}
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}}
header img{{width:100%;max-height:12rem;object-fit:cover;border-radius:.5rem}}
.avatar{{width:5rem;height:5rem;border-radius:50%;margin-top:-2.5rem;border:3px solid #fff}}
.muted{{color:#666}}</style></head>
<body>{body}</body></html>
"""


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/", front_page),
        ("GET", "/@{username}", profile_by_handle),
    ])


def render(title: str, body: str, head: str = "", status: int = 200) -> web.Response:
    html = PAGE.format(title=escape(title), body=body, head=head)
    return web.Response(text=html, content_type="text/html", status=status)


async def front_page(request: web.Request) -> web.Response:
    settings = request.app[context.SETTINGS]
    body = (
        f"<h1>{escape(settings.instance_title)}</h1>"
        f"<p>{escape(settings.instance_description)}</p>"
        f"<p class=muted>{escape(settings.domain)} runs Muralist {escape(__version__)}. "
        "Sign in with any Mastodon app to make, remix and share images.</p>"
    )
    return render(settings.instance_title, body)


def profile_page(request: web.Request, account: Account) -> web.Response:
    urls = request.app[context.URLS]
    settings = request.app[context.SETTINGS]
    handle = f"@{account.username}@{settings.domain}"
    head = f'<link rel="alternate" type="application/activity+json" href="{escape(account.actor_uri)}">'
    body = (
        f'<header><img src="{escape(account.header_uri or urls.default_header)}" alt=""></header>'
        f'<img class=avatar src="{escape(account.avatar_uri or urls.default_avatar)}" alt="">'
        f"<h1>{escape(account.display_name or account.username)}</h1>"
        f"<p class=muted>{escape(handle)}</p>"
        # The note of a local account is HTML this node produced and sanitized on input.
        f"<div>{account.note}</div>"
    )
    return render(f"{account.display_name or account.username} ({handle})", body, head)


async def profile_by_handle(request: web.Request) -> web.Response:
    username = request.match_info["username"]
    async with request.app[context.SESSIONMAKER]() as session:
        account = await account_repo.get_local_person_by_username(session, username)
    if account is None:
        raise NotFound(f"no user named {username}")
    return profile_page(request, account)
