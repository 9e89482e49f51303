"""What the server says about itself to apps: `/api/v1/instance`, `/api/v2/instance` and their
small companions (rules, peers, activity, extended description, translation languages).

Apps decide which features to offer from `version` (a Mastodon version first, Muralist after)
and `api_versions.mastodon`, and size their composers from `configuration`; see
https://docs.joinmastodon.org/entities/Instance/ and .../entities/V1_Instance/.
"""

from html import escape

from aiohttp import web

from activitypub.outbox.note import MAX_IMAGES
from storage.media.decode import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS
from storage.repositories import account_stats
from storage.repositories import accounts as account_repo
from storage.repositories import posts as post_repo

from .. import context
from ..actions import posts, text
from ..push.vapid import vapid_key
from ..registrations import approval_required, sign_ups_open
from ..routing import add_routes
from ..settings import Settings
from ..version import MASTODON_API_VERSION, REPOSITORY_URL, mastodon_version_string
from .entities import format_time

# The limits the actions enforce, advertised as they are enforced.
MAX_CHARACTERS = posts.MAX_CHARACTERS
MAX_MEDIA_ATTACHMENTS = MAX_IMAGES
CHARACTERS_RESERVED_PER_URL = text.CHARACTERS_PER_URL
DESCRIPTION_LIMIT = posts.MAX_DESCRIPTION
IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
POLLS = {"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2629746}


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/instance", instance_v1),
        ("GET", "/api/v2/instance", instance_v2),
        ("GET", "/api/v1/instance/rules", empty_list),
        ("GET", "/api/v1/instance/peers", empty_list),
        ("GET", "/api/v1/instance/activity", empty_list),
        ("GET", "/api/v1/instance/extended_description", extended_description),
        ("GET", "/api/v1/instance/translation_languages", empty_object),
    ])


def streaming_url(settings: Settings) -> str:
    return ("wss://" if settings.scheme == "https" else "ws://") + settings.domain


def _configuration() -> dict:
    return {
        "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
        "statuses": {
            "max_characters": MAX_CHARACTERS,
            "max_media_attachments": MAX_MEDIA_ATTACHMENTS,
            "characters_reserved_per_url": CHARACTERS_RESERVED_PER_URL,
        },
        "media_attachments": {
            "supported_mime_types": IMAGE_TYPES,
            "description_limit": DESCRIPTION_LIMIT,
            "image_size_limit": DEFAULT_MAX_BYTES,
            "image_matrix_limit": DEFAULT_MAX_PIXELS,
            # Images only: the node accepts no video or audio.
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": dict(POLLS),
    }


async def _stats(request: web.Request) -> dict:
    async with request.app[context.SESSIONMAKER]() as session:
        return {
            "user_count": await account_repo.count_local_users(session),
            "status_count": await post_repo.count_local_posts(session),
            "domain_count": await account_stats.count_known_domains(session),
        }


async def instance_v1(request: web.Request) -> web.Response:
    settings = request.app[context.SETTINGS]
    urls = request.app[context.URLS]
    return web.json_response({
        "uri": settings.domain,
        "title": settings.instance_title,
        "short_description": settings.instance_description,
        "description": settings.instance_description,
        "email": settings.contact_email,
        "version": mastodon_version_string(),
        "urls": {"streaming_api": streaming_url(settings)},
        "stats": await _stats(request),
        "thumbnail": urls.default_header,
        "languages": ["en"],
        "registrations": sign_ups_open(settings),
        "approval_required": approval_required(settings),
        "invites_enabled": False,
        "configuration": _configuration(),
        "contact_account": None,
        "rules": [],
    })


async def instance_v2(request: web.Request) -> web.Response:
    settings = request.app[context.SETTINGS]
    urls = request.app[context.URLS]
    stats = await _stats(request)
    async with request.app[context.SESSIONMAKER]() as session:
        vapid = await vapid_key(session)
        await session.commit()
    return web.json_response({
        "domain": settings.domain,
        "title": settings.instance_title,
        "version": mastodon_version_string(),
        "source_url": REPOSITORY_URL,
        "description": settings.instance_description,
        "usage": {"users": {"active_month": stats["user_count"]}},
        "thumbnail": {"url": urls.default_header, "blurhash": None, "versions": {}},
        "icon": [],
        "languages": ["en"],
        "configuration": {
            "urls": {
                "streaming": streaming_url(settings),
                "status": None,
                "about": f"{settings.base_url}/",
                "privacy_policy": None,
                "terms_of_service": None,
            },
            **_configuration(),
            "translation": {"enabled": False},
            # The key apps subscribe to push with (browsers' applicationServerKey).
            "vapid": {"public_key": vapid.public_key},
        },
        "registrations": {
            "enabled": sign_ups_open(settings),
            "approval_required": approval_required(settings),
            "reason_required": False,
            "message": None,
            "url": None,
            "min_age": None,
        },
        "api_versions": {"mastodon": MASTODON_API_VERSION},
        "contact": {"email": settings.contact_email, "account": None},
        "rules": [],
    })


async def extended_description(request: web.Request) -> web.Response:
    settings = request.app[context.SETTINGS]
    async with request.app[context.SESSIONMAKER]() as session:
        actor = await account_repo.get_instance_actor(session)
    return web.json_response({
        "updated_at": format_time(actor.updated_at if actor is not None else None),
        "content": f"<p>{escape(settings.instance_description)}</p>",
    })


async def empty_list(request: web.Request) -> web.Response:
    return web.json_response([])


async def empty_object(request: web.Request) -> web.Response:
    return web.json_response({})
