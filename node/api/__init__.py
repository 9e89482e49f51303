"""The Mastodon-compatible client API and its OAuth 2.0 server, one module per surface.

`setup(app)` registers every route here; endpoints find the caller with `auth.require_scopes`.
"""

from aiohttp import web

from . import accounts, apps, authorize, instance, launch, markers, oauth
from . import notifications, status_actions, status_edits, status_quotes, statuses, timelines
from . import generations, media
from . import account_profile, account_relations, account_statuses, search, streaming
from . import account_deletion, admin_accounts, admin_reports, blocks, domain_blocks, reports
from . import conversations, filters, filters_v1, lists, notification_requests, notifications_v2, tags
from . import directory, endorsements, instance_policies, polls, push, scheduled_statuses, status_pins

SURFACES = (oauth, authorize, apps, instance, launch, markers, accounts,
            statuses, status_edits, status_actions, status_quotes, timelines, notifications, media, generations,
            account_profile, account_relations, account_statuses, search, streaming, blocks,
            reports, admin_accounts, admin_reports, domain_blocks, account_deletion,
            lists, filters, filters_v1, conversations, notifications_v2,
            notification_requests, tags,
            push, polls, status_pins, endorsements, directory, instance_policies, scheduled_statuses)


def setup(app: web.Application) -> None:
    for surface in SURFACES:
        surface.setup(app)
