"""A plain HTML page without templates, for the OAuth sign-in and consent pages
(node/api/pages.py), which build their own escaped markup."""

from html import escape

from aiohttp import web

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>{head}
<link rel="icon" href="/favicon.ico">
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}}
.muted{{color:#666}}</style></head>
<body>{body}</body></html>
"""


def render(title: str, body: str, head: str = "", status: int = 200) -> web.Response:
    html = PAGE.format(title=escape(title), body=body, head=head)
    return web.Response(text=html, content_type="text/html", status=status)
