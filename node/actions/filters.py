"""Filters: a local user's rules for what she reads (Mastodon's filters v2, and v1 filters,
which are single keywords of the same rows).

Mastodon's rules: a title and at least one known context are required; the action is `warn`,
`hide` or `blur`; `expires_in` is seconds from now (blank: never); a keyword is not blank. A
request that breaks one rule writes nothing. Filters are private and never federated.
Nothing here commits.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Filter, FilterKeyword, FilterStatus
from storage.repositories import filters as filter_repo
from storage.states import FILTER_CONTEXTS, FilterAction
from storage.types import utcnow

from ..errors import ValidationError

MAX_FILTERS = 1000
MAX_KEYWORDS = 100
MAX_STATUSES = 1000
MAX_TITLE = 256
MAX_KEYWORD = 512
MAX_EXPIRES_IN = 100 * 365 * 24 * 3600
UNSET = object()


@dataclass
class KeywordChange:
    """One item of `keywords_attributes`: a new keyword (no id), a change, or a removal."""

    id: int | None = None
    keyword: str | None = None
    whole_word: bool | None = None
    destroy: bool = False


def _title(title) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError("Validation failed: Title can't be blank")
    if len(title) > MAX_TITLE:
        raise ValidationError(f"Validation failed: Title is too long (at most {MAX_TITLE} characters)")
    return title


def _context(context) -> list[str]:
    context = [name for name in (context or []) if name]
    if not context:
        raise ValidationError("Validation failed: Context can't be blank")
    unknown = [name for name in context if name not in FILTER_CONTEXTS]
    if unknown:
        raise ValidationError(f"Validation failed: Context {unknown[0]!r} is not one of {', '.join(FILTER_CONTEXTS)}")
    return list(dict.fromkeys(context))


def _action(action) -> str:
    try:
        return FilterAction(action)
    except ValueError:
        choices = ", ".join(member.value for member in FilterAction)
        raise ValidationError(f"filter_action must be one of {choices}, not {action!r}") from None


def _expires_at(expires_in):
    if expires_in is None:
        return None
    if not 0 < expires_in <= MAX_EXPIRES_IN:
        raise ValidationError(f"expires_in must be a number of seconds from 1 to {MAX_EXPIRES_IN}")
    return utcnow() + timedelta(seconds=expires_in)


def _keyword(keyword) -> str:
    keyword = (keyword or "").strip()
    if not keyword:
        raise ValidationError("Validation failed: Keyword can't be blank")
    if len(keyword) > MAX_KEYWORD:
        raise ValidationError(f"Validation failed: Keyword is too long (at most {MAX_KEYWORD} characters)")
    return keyword


async def create_filter(session: AsyncSession, owner: Account, *, title, context, action=None, expires_in=None,
                        keywords: list[KeywordChange] = ()) -> Filter:
    if await filter_repo.count_filters(session, owner.id) >= MAX_FILTERS:
        raise ValidationError(f"Validation failed: you can have at most {MAX_FILTERS} filters")
    if len(keywords) > MAX_KEYWORDS:
        raise ValidationError(f"Validation failed: a filter has at most {MAX_KEYWORDS} keywords")
    row = Filter(account_id=owner.id, title=_title(title), context=_context(context),
                 action=_action(action or FilterAction.WARN), expires_at=_expires_at(expires_in))
    words = [FilterKeyword(keyword=_keyword(change.keyword),
                           whole_word=True if change.whole_word is None else change.whole_word)
             for change in keywords if not change.destroy]
    session.add(row)
    await session.flush()
    for word in words:
        word.filter_id = row.id
    session.add_all(words)
    await session.flush()
    return row


async def update_filter(session: AsyncSession, row: Filter, *, title=None, context=None, action=None,
                        expires_in=UNSET, keywords: list[KeywordChange] = ()) -> Filter:
    """Change what was given, keywords included (by id; `_destroy` removes one)."""
    changes = {}
    if title is not None:
        changes["title"] = _title(title)
    if context is not None:
        changes["context"] = _context(context)
    if action is not None:
        changes["action"] = _action(action)
    if expires_in is not UNSET:
        changes["expires_at"] = _expires_at(expires_in)
    existing = {word.id: word for word in (await filter_repo.get_keywords(session, [row.id]))[row.id]}
    for change in keywords:
        if change.id is not None and change.id not in existing:
            raise ValidationError(f"keywords_attributes: keyword {change.id} is not in this filter")
        if not change.destroy and (change.id is None or change.keyword is not None):
            _keyword(change.keyword)
    added = [change for change in keywords if change.id is None and not change.destroy]
    if len(existing) + len(added) > MAX_KEYWORDS:
        raise ValidationError(f"Validation failed: a filter has at most {MAX_KEYWORDS} keywords")
    for name, value in changes.items():
        setattr(row, name, value)
    for change in keywords:
        if change.id is None:
            if not change.destroy:
                session.add(FilterKeyword(filter_id=row.id, keyword=_keyword(change.keyword),
                                          whole_word=True if change.whole_word is None else change.whole_word))
        elif change.destroy:
            await session.delete(existing[change.id])
        else:
            update_keyword(existing[change.id], keyword=change.keyword, whole_word=change.whole_word)
    await session.flush()
    return row


async def add_keyword(session: AsyncSession, row: Filter, keyword, whole_word: bool | None) -> FilterKeyword:
    if len((await filter_repo.get_keywords(session, [row.id]))[row.id]) >= MAX_KEYWORDS:
        raise ValidationError(f"Validation failed: a filter has at most {MAX_KEYWORDS} keywords")
    word = FilterKeyword(filter_id=row.id, keyword=_keyword(keyword), whole_word=True if whole_word is None else whole_word)
    session.add(word)
    await session.flush()
    return word


def update_keyword(word: FilterKeyword, *, keyword=None, whole_word: bool | None = None) -> FilterKeyword:
    if keyword is not None:
        word.keyword = _keyword(keyword)
    if whole_word is not None:
        word.whole_word = whole_word
    return word


async def add_filter_status(session: AsyncSession, row: Filter, post_id: int) -> FilterStatus:
    """Filter one post (the caller checked that the owner may see it); twice is a 422, as on Mastodon."""
    statuses = (await filter_repo.get_filter_statuses(session, [row.id]))[row.id]
    if any(status.post_id == post_id for status in statuses):
        raise ValidationError("Validation failed: Status has already been taken")
    if len(statuses) >= MAX_STATUSES:
        raise ValidationError(f"Validation failed: a filter holds at most {MAX_STATUSES} posts")
    status = FilterStatus(filter_id=row.id, post_id=post_id)
    session.add(status)
    await session.flush()
    return status
