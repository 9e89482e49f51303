"""Discovery: WebFinger (RFC 7033, FEP-d556), host-meta (RFC 6415) and NodeInfo 2.0/2.1."""

import json
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.context import AS2_MEDIA_TYPE
from storage.models import Account
from storage.repositories import accounts as account_repo
from storage.states import USER_ACTOR_TYPES

from .. import context
from ..errors import ValidationError
from ..middleware import json_error
from ..registrations import sign_ups_open
from ..routing import add_routes
from ..settings import Settings
from ..version import REPOSITORY_URL, SOFTWARE_NAME, __version__

JRD_MEDIA_TYPE = "application/jrd+json"
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/{version}"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/.well-known/webfinger", webfinger),
        ("GET", "/.well-known/host-meta", host_meta),
        ("GET", "/.well-known/host-meta.json", host_meta_json),
        ("GET", "/.well-known/nodeinfo", nodeinfo_links),
        ("GET", "/nodeinfo/{version:2\\.[01]}", nodeinfo),
    ])


def parse_resource(resource: str, settings: Settings) -> tuple[str, str | None]:
    """Split a WebFinger resource into ("acct", username) or ("url", path); 400 when malformed.

    Answers None as the username when the resource names another server (a 404, not a 400).
    """
    if not resource:
        raise ValidationError("the resource parameter is required", status=400)
    if resource.startswith("acct:"):
        user, sep, domain = resource[5:].lstrip("@").rpartition("@")
        if not sep or not user or not domain or "/" in domain:
            raise ValidationError(f"malformed acct resource {resource!r}", status=400)
        if domain.lower() not in (settings.domain.lower(), settings.host.lower()):
            return "acct", None
        return "acct", user
    parts = urlsplit(resource)
    if parts.scheme in ("http", "https") and parts.netloc:
        if parts.netloc.lower() != settings.domain.lower():
            return "url", None
        return "url", parts.path or "/"
    raise ValidationError(f"malformed resource {resource!r}", status=400)


async def find_resource_account(session: AsyncSession, settings: Settings, kind: str, value: str) -> Account | None:
    if kind == "acct":
        if value.lower() == settings.host.lower():
            return await account_repo.get_instance_actor(session)
        return await account_repo.get_local_person_by_username(session, value)
    # FEP-d556: the server's own root URL discovers the instance actor.
    if value in ("/", "/actor"):
        return await account_repo.get_instance_actor(session)
    for prefix in ("/users/", "/@"):
        if value.startswith(prefix) and "/" not in value[len(prefix):]:
            return await account_repo.get_local_person_by_username(session, value[len(prefix):])
    return None


def account_to_jrd(account: Account, settings: Settings, subject: str) -> dict:
    links = [
        # Mastodon requires rel=self with exactly this type, and href equal to the actor id.
        {"rel": "self", "type": AS2_MEDIA_TYPE, "href": account.actor_uri},
        {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": account.url},
    ]
    if account.actor_type in USER_ACTOR_TYPES:
        links.append({
            "rel": "http://ostatus.org/schema/1.0/subscribe",
            "template": f"{settings.base_url}/authorize_interaction?uri={{uri}}",
        })
    return {
        "subject": subject,
        "aliases": [account.actor_uri, account.url],
        "links": links,
    }


async def webfinger(request: web.Request) -> web.Response:
    settings = request.app[context.SETTINGS]
    resource = request.query.get("resource", "")
    kind, value = parse_resource(resource, settings)
    account = None
    if value is not None:
        async with request.app[context.SESSIONMAKER]() as session:
            account = await find_resource_account(session, settings, kind, value)
    if account is None:
        return json_error(404, f"no account for {resource}")
    subject = f"acct:{account.username}@{settings.domain}"
    return web.Response(
        text=json.dumps(account_to_jrd(account, settings, subject)),
        content_type=JRD_MEDIA_TYPE,
        headers={"Access-Control-Allow-Origin": "*"},
    )


async def host_meta(request: web.Request) -> web.Response:
    base = request.app[context.SETTINGS].base_url
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{base}/.well-known/webfinger?resource={{uri}}"/>\n'
        "</XRD>\n"
    )
    return web.Response(text=body, content_type="application/xrd+xml")


async def host_meta_json(request: web.Request) -> web.Response:
    base = request.app[context.SETTINGS].base_url
    links = [{"rel": "lrdd", "template": f"{base}/.well-known/webfinger?resource={{uri}}"}]
    return web.json_response({"links": links})


async def nodeinfo_links(request: web.Request) -> web.Response:
    base = request.app[context.SETTINGS].base_url
    links = [
        {"rel": NODEINFO_SCHEMA.format(version=version), "href": f"{base}/nodeinfo/{version}"}
        for version in ("2.0", "2.1")
    ]
    return web.json_response({"links": links})


async def nodeinfo(request: web.Request) -> web.Response:
    version = request.match_info["version"]
    settings = request.app[context.SETTINGS]
    async with request.app[context.SESSIONMAKER]() as session:
        users = await account_repo.count_local_users(session)
    software = {"name": SOFTWARE_NAME, "version": __version__}
    if version == "2.1":
        software |= {"repository": REPOSITORY_URL, "homepage": REPOSITORY_URL}
    document = {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": sign_ups_open(settings),
        "usage": {
            "users": {"total": users, "activeMonth": users, "activeHalfyear": users},
            "localPosts": 0,
        },
        "metadata": {"nodeName": settings.instance_title, "nodeDescription": settings.instance_description},
    }
    profile = NODEINFO_SCHEMA.format(version=version) + "#"
    return web.Response(
        text=json.dumps(document),
        headers={"Content-Type": f'application/json; profile="{profile}"'},
    )
