"""Lists: a local user's named groups of accounts she follows, each read as a timeline.

The rules are Mastodon's: a title is required; `replies_policy` is `followed`, `list` or
`none`; a member must be an account the owner follows or asked to follow (an unfollow takes
it out again, node/actions/follows.py); an account is in a list at most once. Lists are
private to their owner and never federated. Nothing here commits.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Account, List
from storage.repositories import lists as list_repo
from storage.repositories import statuses as status_repo
from storage.states import RepliesPolicy

from ..errors import ValidationError

MAX_LISTS = 50  # Mastodon's List::PER_ACCOUNT_LIMIT
MAX_MEMBERS = 5000
MAX_TITLE = 256


def _title(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError("Validation failed: Title can't be blank")
    if len(title) > MAX_TITLE:
        raise ValidationError(f"Validation failed: Title is too long (at most {MAX_TITLE} characters)")
    return title


def _policy(policy: str | None) -> str:
    try:
        return RepliesPolicy(policy)
    except ValueError:
        choices = ", ".join(member.value for member in RepliesPolicy)
        raise ValidationError(f"replies_policy must be one of {choices}, not {policy!r}") from None


async def create_list(session: AsyncSession, owner: Account, title: str | None, *,
                      replies_policy: str | None = None, exclusive: bool | None = None) -> List:
    if await list_repo.count_lists(session, owner.id) >= MAX_LISTS:
        raise ValidationError(f"Validation failed: you can have at most {MAX_LISTS} lists")
    row = List(account_id=owner.id, title=_title(title), replies_policy=_policy(replies_policy or RepliesPolicy.LIST),
               exclusive=bool(exclusive))
    session.add(row)
    await session.flush()
    return row


def update_list(row: List, *, title: str | None = None, replies_policy: str | None = None,
                exclusive: bool | None = None) -> List:
    """Change what was given; every value is checked before any is written."""
    changes = {}
    if title is not None:
        changes["title"] = _title(title)
    if replies_policy is not None:
        changes["replies_policy"] = _policy(replies_policy)
    if exclusive is not None:
        changes["exclusive"] = exclusive
    for name, value in changes.items():
        setattr(row, name, value)
    return row


async def add_to_list(session: AsyncSession, row: List, account_ids: list[int]) -> None:
    """Add accounts the owner follows; one unknown or not followed refuses the whole request."""
    accounts = await status_repo.get_accounts_by_ids(session, account_ids)
    missing = [account_id for account_id in account_ids if account_id not in accounts]
    if missing:
        raise NotFound(f"account {missing[0]} not found")
    followed = await list_repo.get_followed_ids(session, row.account_id, account_ids)
    for account_id in account_ids:
        if account_id not in followed:
            raise ValidationError(f"Validation failed: you must follow {accounts[account_id].acct} "
                                  "to add them to a list")
    new = set(account_ids) - await list_repo.get_member_ids(session, row.id)
    if await list_repo.count_members(session, row.id) + len(new) > MAX_MEMBERS:
        raise ValidationError(f"Validation failed: a list holds at most {MAX_MEMBERS} accounts")
    list_repo.add_members(session, row.id, new)
    await session.flush()


async def remove_from_list(session: AsyncSession, row: List, account_ids: list[int]) -> None:
    await list_repo.remove_members(session, row.id, account_ids)
