"""Web Push subscriptions (https://docs.joinmastodon.org/methods/push/): one per access
token, made, read, changed (alerts and policy) and removed by the app holding the token.
The workers send the notifications (node/push/rounds.py)."""

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.errors import FetchError
from activitypub.netguard import check_url
from storage.errors import NotFound
from storage.models import PushSubscription
from storage.repositories import push as push_repo
from storage.types import utcnow

from .. import context
from ..errors import ValidationError
from ..push.rounds import POLICIES
from ..push.seal import SealError, check_keys
from ..push.vapid import vapid_key
from ..routing import add_routes
from .auth import Auth, require_scopes
from .body import Params, read_params

PATH = "/api/v1/push/subscription"
# The notification types an app may ask pushes for (Mastodon's Notification::TYPES).
ALERTS = ("mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update",
          "admin.sign_up", "admin.report", "quote", "quoted_update")
MAX_ENDPOINT = 2048


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("POST", PATH, create_subscription),
        ("GET", PATH, get_subscription),
        ("PUT", PATH, update_subscription),
        ("DELETE", PATH, delete_subscription),
    ])


def subscription_to_entity(row: PushSubscription, server_key: str) -> dict:
    alerts = row.alerts or {}
    return {
        "id": str(row.id),
        "endpoint": row.endpoint,
        "standard": bool(row.standard),
        "alerts": {name: bool(alerts.get(name, False)) for name in ALERTS},
        "policy": row.policy,
        "server_key": server_key,
    }


def _alerts(data: Params | None, current: dict) -> dict:
    alerts = dict(current)
    given = data.mapping("alerts") if data is not None else None
    if given is not None:
        for name in ALERTS:
            value = given.boolean(name)
            if value is not None:
                alerts[name] = value
    return alerts


def _policy(params: Params, data: Params | None, current: str) -> str:
    # Mastodon reads `data[policy]`; Mastodon.py sends a top-level `policy`.
    policy = (data.string("policy") if data is not None else None) or params.string("policy") or current
    if policy not in POLICIES:
        raise ValidationError(f"policy must be one of {', '.join(POLICIES)}")
    return policy


def _endpoint(subscription: Params, allow_private: bool) -> str:
    endpoint = subscription.string("endpoint", max_length=MAX_ENDPOINT)
    if not endpoint:
        raise subscription.error("endpoint", "is required")
    try:
        check_url(endpoint, allow_private)
    except FetchError as exc:
        raise subscription.error("endpoint", f"is not a push endpoint this server may call: {exc}") from None
    if not endpoint.startswith("https://") and not allow_private:
        # Push services are reached over TLS only (RFC 8030 §8); http is for local test setups.
        raise subscription.error("endpoint", "must be an https URL")
    return endpoint


async def _current(session: AsyncSession, auth: Auth) -> PushSubscription:
    row = await push_repo.get_subscription_by_token(session, auth.token.id)
    if row is None:
        raise NotFound("Record not found")
    return row


async def _answer(session: AsyncSession, row: PushSubscription) -> web.Response:
    key = await vapid_key(session)
    entity = subscription_to_entity(row, key.public_key)
    await session.commit()
    return web.json_response(entity)


async def create_subscription(request: web.Request) -> web.Response:
    params = await read_params(request)
    subscription = params.mapping("subscription")
    if subscription is None:
        raise ValidationError("subscription is required")
    endpoint = _endpoint(subscription, request.app[context.SETTINGS].allow_private_addresses)
    keys = subscription.mapping("keys")
    p256dh, auth_secret = (keys.string("p256dh"), keys.string("auth")) if keys is not None else (None, None)
    if not p256dh or not auth_secret:
        raise ValidationError("subscription[keys][p256dh] and subscription[keys][auth] are required")
    try:
        check_keys(p256dh, auth_secret)
    except SealError as exc:
        raise ValidationError(str(exc)) from None
    data = params.mapping("data")
    fields = {"endpoint": endpoint, "key_p256dh": p256dh, "key_auth": auth_secret,
              "standard": bool(subscription.boolean("standard", False)),
              "alerts": _alerts(data, {}), "policy": _policy(params, data, "all")}
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "push", session=session)
        row = await push_repo.put_subscription(session, token_id=auth.token.id, account_id=auth.account.id, **fields)
        return await _answer(session, row)


async def get_subscription(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "push", session=session)
        return await _answer(session, await _current(session, auth))


async def update_subscription(request: web.Request) -> web.Response:
    params = await read_params(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "push", session=session)
        row = await _current(session, auth)
        data = params.mapping("data")
        row.alerts = _alerts(data, row.alerts or {})
        row.policy = _policy(params, data, row.policy)
        row.updated_at = utcnow()
        await session.flush()
        return await _answer(session, row)


async def delete_subscription(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "push", session=session)
        await push_repo.delete_subscription_of_token(session, auth.token.id)
        await session.commit()
    return web.json_response({})
