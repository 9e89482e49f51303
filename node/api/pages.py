"""HTML of the OAuth authorization flow: the sign-in and consent page, the out-of-band code page,
and error pages. Every value that came from a request or the database is escaped here."""

from html import escape

from aiohttp import web

from storage.models import OAuthApp

from ..web.pages import render

# What each scope lets an app do, in the words of the consent page.
SCOPE_TEXT = {
    "read": "read your account, posts, notifications and lists",
    "write": "post, like, boost and change your account on your behalf",
    "follow": "follow, unfollow, block and mute accounts",
    "push": "receive push notifications",
    "profile": "see your profile",
    "admin:read": "read moderation data of this server",
    "admin:write": "take moderation actions on this server",
}

# The consent page must not be framed (clickjacking) or cached; the code page must not leak
# through Referer.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def _page(title: str, body: str, status: int = 200) -> web.Response:
    response = render(title, body, status=status)
    response.headers.update(PAGE_HEADERS)
    return response


def consent_page(app: OAuthApp, scopes: list[str], hidden: dict[str, str], *, login: str = "",
                 error: str | None = None, status: int = 200) -> web.Response:
    """Sign in and authorize in one form; the hidden fields carry the request and the CSRF token."""
    inputs = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">' for name, value in hidden.items()
    )
    website = f' (<a href="{escape(app.website)}" rel="noopener noreferrer">{escape(app.website)}</a>)' if app.website else ""
    items = "".join(f"<li><code>{escape(scope)}</code>: {escape(SCOPE_TEXT.get(scope, scope))}</li>" for scope in scopes)
    alert = f'<p role="alert" style="color:#a00">{escape(error)}</p>' if error else ""
    body = (
        f"<h1>Authorize {escape(app.name)}</h1>"
        f"<p><strong>{escape(app.name)}</strong>{website} asks to use your account. It will be able to:</p>"
        f"<ul>{items}</ul>{alert}"
        '<form method="post" action="/oauth/authorize">'
        f"{inputs}"
        '<p><label>Username or email<br><input name="login" autocomplete="username" required '
        f'value="{escape(login)}"></label></p>'
        '<p><label>Password<br><input name="password" type="password" autocomplete="current-password">'
        "</label></p>"
        '<p><button name="decision" value="approve" type="submit">Authorize</button> '
        '<button name="decision" value="deny" type="submit" formnovalidate>Deny</button></p>'
        "</form>"
    )
    return _page(f"Authorize {app.name}", body, status)


def code_page(app: OAuthApp, code: str) -> web.Response:
    """For `urn:ietf:wg:oauth:2.0:oob`: the user copies the code into the app."""
    body = (
        "<h1>Authorization code</h1>"
        f"<p>Copy this code and paste it into {escape(app.name)}:</p>"
        f'<p><code id="authorization-code" style="font-size:1.2rem;user-select:all">{escape(code)}</code></p>'
    )
    return _page("Authorization code", body)


def error_page(message: str, status: int = 400) -> web.Response:
    body = f"<h1>The authorization cannot go on</h1><p>{escape(message)}</p>"
    return _page("Authorization error", body, status)
