"""`muralist admin ...`: the moderators' commands from the shell, the same actions the admin
API calls (node/actions/accounts_moderation.py, reports.py, domain_blocks.py).

    muralist admin approve NAME | reject NAME
    muralist admin suspend NAME|@user@domain | unsuspend | silence | unsilence
    muralist admin domain-block DOMAIN --severity silence|suspend | domain-unblock DOMAIN
    muralist admin reports [--resolved] | resolve REPORT_ID
"""

import argparse

from sqlalchemy import select

from storage.db import create_sessionmaker
from storage.models import Account, Report
from storage.repositories import accounts as account_repo

from .actions import accounts_moderation as moderation
from .actions import reports as report_actions
from .database import open_database
from .errors import ValidationError

ACCOUNT_COMMANDS = {
    "approve": "let a pending sign-up sign in",
    "reject": "refuse a pending sign-up (its account is deleted)",
    "suspend": "suspend an account (a remote one's posts are purged)",
    "unsuspend": "lift a suspension",
    "silence": "let only an account's followers see it",
    "unsilence": "lift a silence",
}
PAST = {"approve": "approved", "reject": "rejected", "suspend": "suspended", "unsuspend": "unsuspended",
        "silence": "silenced", "unsilence": "unsilenced"}


def add_parser(commands) -> None:
    admin = commands.add_parser("admin", help="moderate accounts, domains and reports")
    verbs = admin.add_subparsers(dest="admin_command", required=True)
    for name, text in ACCOUNT_COMMANDS.items():
        verbs.add_parser(name, help=text).add_argument("account", help="NAME, or @user@domain for a remote account")
    block = verbs.add_parser("domain-block", help="limit or cut off a server")
    block.add_argument("domain")
    block.add_argument("--severity", choices=("silence", "suspend", "noop"), default="suspend")
    block.add_argument("--public-comment", default="", help="the reason shown in the public list")
    block.add_argument("--private-comment", default="")
    block.add_argument("--reject-media", action="store_true")
    block.add_argument("--reject-reports", action="store_true")
    verbs.add_parser("domain-unblock", help="lift a domain block").add_argument("domain")
    listing = verbs.add_parser("reports", help="list open reports (or resolved ones)")
    listing.add_argument("--resolved", action="store_true")
    verbs.add_parser("resolve", help="mark a report resolved").add_argument("report_id")


async def find_account(session, text: str) -> Account:
    """NAME for a local user, @user@domain (or user@domain) for a remote account."""
    username, _, domain = text.lstrip("@").partition("@")
    account = await account_repo.get_account_by_username(session, username, domain or None)
    if account is None:
        raise ValidationError(f"no account {text!r} on this node")
    return account


async def run(settings, args) -> None:
    async with open_database(settings.database_url) as db:
        async with create_sessionmaker(db.engine)() as session:
            instance = await account_repo.get_instance_actor(session)
            line = await _dispatch(session, settings, args, instance)
            await session.commit()
    print(line)


async def _dispatch(session, settings, args, instance: Account) -> str:
    command = args.admin_command
    if command in ACCOUNT_COMMANDS:
        account = await find_account(session, args.account)
        if command == "suspend":
            await moderation.suspend(session, settings, account)
        else:
            await getattr(moderation, command)(session, account)
        return f"{PAST[command]} {account.acct}"
    if command in ("domain-block", "domain-unblock"):
        from .actions import domain_blocks

        if command == "domain-unblock":
            await domain_blocks.unblock_domain(session, args.domain)
            return f"lifted the block of {args.domain.lower()}"
        row = await domain_blocks.block_domain(
            session, settings, args.domain, severity=args.severity, public_comment=args.public_comment,
            private_comment=args.private_comment, reject_media=args.reject_media, reject_reports=args.reject_reports)
        return f"{row.severity} {row.domain}"
    if command == "resolve":
        report = await report_actions.get_report(session, args.report_id)
        await report_actions.resolve(session, report, instance)
        return f"resolved report {report.id}"
    return await _list_reports(session, args.resolved)


async def _list_reports(session, resolved: bool) -> str:
    query = select(Report).order_by(Report.id)
    query = query.where(Report.action_taken_at.is_not(None) if resolved else Report.action_taken_at.is_(None))
    lines = []
    for report in (await session.execute(query)).scalars():
        reporter = await session.get(Account, report.account_id)
        target = await session.get(Account, report.target_account_id)
        comment = " ".join(report.comment.split())
        lines.append(f"{report.id}\t{target.acct}\tby {reporter.acct}\t{len(report.post_ids)} posts\t{comment}")
    return "\n".join(lines) if lines else "no reports"
