"""Reports to the moderators: a local user's report (forwarded to a remote account's server
as a Flag from this node's instance actor when she asks), a Flag arriving from another
server, and a moderator resolving or reopening one. Nothing here commits.

Mastodon sends Flag from its instance actor, to the reported account's inbox, with `object`
the reported actor followed by the reported posts and `content` the comment; it accepts the
same shape, and so do we.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.delivery.queue import enqueue_delivery
from activitypub.outbox import activities
from storage.errors import NotFound
from storage.models import Account, Post, Report
from storage.repositories import accounts as account_repo
from storage.repositories import domain_blocks as domain_block_repo
from storage.snowflake import new_id
from storage.types import utcnow

from ..errors import ValidationError
from ..settings import Settings
from ..urls import Urls
from .common import parse_key, personal_inbox, require_local_person
from .visibility import visible_posts

CATEGORIES = ("spam", "legal", "violation", "other")
MAX_COMMENT = 1000
MAX_POSTS = 20


async def get_report(session: AsyncSession, report_id) -> Report:
    key = parse_key(report_id)
    report = await session.get(Report, key) if key is not None else None
    if report is None:
        raise NotFound(f"report {report_id} not found")
    return report


async def _reported_posts(session: AsyncSession, reporter: Account, target: Account, post_ids: list[int]) -> list[Post]:
    """The target's posts the reporter may see, in the order given; anything else is an error."""
    if len(post_ids) > MAX_POSTS:
        raise ValidationError(f"status_ids: at most {MAX_POSTS} posts in one report")
    found = {post.id: post for post in (await session.execute(select(Post).where(Post.id.in_(post_ids)))).scalars()}
    posts = [found[post_id] for post_id in dict.fromkeys(post_ids) if post_id in found]
    shown = {post.id for post in await visible_posts(session, reporter, posts)}
    wrong = [str(post_id) for post_id in post_ids if post_id not in shown or found[post_id].account_id != target.id]
    if wrong:
        raise ValidationError(f"status_ids: {wrong[0]} is not a post of {target.acct}")
    return posts


async def create_report(session: AsyncSession, settings: Settings, reporter: Account, target: Account, *,
                        post_ids: list[int], comment: str = "", category: str = "other",
                        forward: bool = False) -> Report:
    """A local user reports an account (and some of its posts) to this node's moderators."""
    require_local_person(reporter)
    if target.id == reporter.id:
        raise ValidationError("you cannot report yourself")
    if category not in CATEGORIES:
        raise ValidationError(f"category must be one of {', '.join(CATEGORIES)}")
    if len(comment) > MAX_COMMENT:
        raise ValidationError(f"comment is too long (at most {MAX_COMMENT} characters)")
    posts = await _reported_posts(session, reporter, target, post_ids)
    report = Report(id=new_id(), account_id=reporter.id, target_account_id=target.id,
                    post_ids=[post.id for post in posts], comment=comment, category=category,
                    forwarded=bool(forward and target.domain is not None))
    session.add(report)
    await session.flush()
    if report.forwarded:
        await _forward(session, settings, report, target, posts)
    return report


async def _forward(session: AsyncSession, settings: Settings, report: Report, target: Account,
                   posts: list[Post]) -> None:
    """Flag from the instance actor, so the reporter stays anonymous to the other server."""
    instance = await account_repo.get_instance_actor(session)
    report.flag_uri = f"{Urls(settings).base}/reports/{report.id}"
    flag = activities.flag(report.flag_uri, instance.actor_uri,
                           [target.actor_uri, *[post.object_uri for post in posts]], report.comment)
    await session.flush()
    await enqueue_delivery(session, flag, instance, personal_inbox(target))


async def receive_flag(session: AsyncSession, actor: Account, flag_uri: str, object_uris: list[str],
                       content: str) -> Report | None:
    """A Flag from another server: a report for each local account it names (with the named
    posts that are that account's). Received twice, it is one report."""
    if actor.domain is None:
        raise ValidationError("a local report is made through the client API")
    blocked = await domain_block_repo.get_domain_block(session, actor.domain)
    if blocked is not None and blocked.reject_reports:
        return None  # the admins chose not to hear reports from this server (Mastodon's reject_reports)
    existing = (await session.execute(select(Report).where(Report.flag_uri == flag_uri))).scalar_one_or_none()
    if existing is not None:
        return existing
    accounts = await account_repo.get_accounts_by_uris(session, object_uris)
    targets = [account for account in accounts.values() if account.domain is None]
    if len(targets) != 1:
        raise ValidationError("a Flag must name exactly one account of this server")
    [target] = targets
    posts = (await session.execute(select(Post).where(Post.object_uri.in_(object_uris),
                                                      Post.account_id == target.id))).scalars()
    report = Report(id=new_id(), account_id=actor.id, target_account_id=target.id,
                    post_ids=[post.id for post in posts][:MAX_POSTS], comment=content[:MAX_COMMENT],
                    category="other", flag_uri=flag_uri)
    session.add(report)
    await session.flush()
    return report


async def resolve(session: AsyncSession, report: Report, moderator: Account) -> None:
    if report.action_taken_at is None:
        report.action_taken_at, report.action_taken_by_account_id = utcnow(), moderator.id
    report.updated_at = utcnow()
    await session.flush()


async def reopen(session: AsyncSession, report: Report) -> None:
    report.action_taken_at, report.action_taken_by_account_id = None, None
    report.updated_at = utcnow()
    await session.flush()
