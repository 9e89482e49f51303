"""Filters applied to Status entities: the `filtered` field and leaving out what a `hide`
filter matches (https://docs.joinmastodon.org/entities/FilterResult/).

As Mastodon's REST::StatusSerializer does, `filtered` lists every active filter of the
viewer that matches the post, whatever its context, and clients read the context from the
filter. On a surface that belongs to a context (home and lists: `home`; public and hashtag
timelines: `public`; notifications, threads, profiles), the server also leaves out a post
matched by a `hide` filter of that context, so every client hides it, streams included.

Matching is Mastodon's CustomFilter#apply_cached_filters: a keyword matches the post's
spoiler text, its text and its media descriptions, case-insensitively; a whole-word keyword
only between word boundaries (`\\b` where the keyword starts or ends with a word character);
a filtered post matches itself and its boosts.
"""

import copy
import json
import re
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Filter, FilterKeyword
from storage.repositories import filters as filter_repo
from storage.states import FilterAction
from storage.types import utcnow

from .entities import format_id, format_time, html_to_text

_BREAKS = re.compile(r"<(?:br|/p|/li|/h\d|/blockquote)\b[^>]*>", re.IGNORECASE)


def filter_entity(row: Filter, keywords: list | None = None, statuses: list | None = None) -> dict:
    """The Filter entity; with `keywords` and `statuses` as the filters API answers it, without
    them as it is nested in a FilterResult (Mastodon leaves the rules out there)."""
    entity = {"id": format_id(row.id), "title": row.title, "context": list(row.context),
              "expires_at": format_time(row.expires_at), "filter_action": row.action}
    if keywords is not None:
        entity["keywords"] = [keyword_entity(word) for word in keywords]
    if statuses is not None:
        entity["statuses"] = [{"id": format_id(status.id), "status_id": format_id(status.post_id)}
                              for status in statuses]
    return entity


def keyword_entity(word: FilterKeyword) -> dict:
    return {"id": format_id(word.id), "keyword": word.keyword, "whole_word": word.whole_word}


def keyword_pattern(word: FilterKeyword) -> str:
    escaped = re.escape(word.keyword)
    if not word.whole_word:
        return escaped
    start = r"\b" if re.match(r"\w", word.keyword) else ""
    end = r"\b" if re.search(r"\w\Z", word.keyword) else ""
    return f"{start}{escaped}{end}"


@dataclass
class ActiveFilter:
    row: Filter
    keywords: list[tuple[str, re.Pattern]] = field(default_factory=list)
    status_ids: set[str] = field(default_factory=set)

    def result(self, status: dict, text: str) -> dict | None:
        """The FilterResult for a (proper) status, or None when this filter does not match it."""
        words = [keyword for keyword, pattern in self.keywords if pattern.search(text)]
        ids = [status_id for status_id in (status.get("id"),) if status_id in self.status_ids]
        if not words and not ids:
            return None
        return {"filter": filter_entity(self.row), "keyword_matches": words or None, "status_matches": ids or None}


async def load_filters(session: AsyncSession, account_id: int) -> list[ActiveFilter]:
    rows = await filter_repo.list_active_filters(session, account_id, utcnow())
    if not rows:
        return []
    ids = [row.id for row in rows]
    keywords, statuses = await filter_repo.get_keywords(session, ids), await filter_repo.get_filter_statuses(session, ids)
    return [ActiveFilter(row, [(word.keyword, re.compile(keyword_pattern(word), re.IGNORECASE))
                               for word in keywords[row.id]],
                         {format_id(status.post_id) for status in statuses[row.id]}) for row in rows]


def searchable_text(status: dict) -> str:
    media = [item.get("description") or "" for item in status.get("media_attachments") or []]
    content = html_to_text(_BREAKS.sub("\n", status.get("content") or ""))
    return "\n\n".join([status.get("spoiler_text") or "", content, *media])


def filter_results(status: dict, filters: list[ActiveFilter]) -> list[dict]:
    proper = status.get("reblog") or status
    text = searchable_text(proper)
    return [result for result in (active.result(proper, text) for active in filters) if result is not None]


def apply_filters(entities: list[dict], filters: list[ActiveFilter], context: str | None) -> list[dict]:
    """Set `filtered` on each entity (and its boosted status) and leave out the hidden ones."""
    if not filters:
        return entities
    kept = []
    for entity in entities:
        results = filter_results(entity, filters)
        entity["filtered"] = results
        if isinstance(entity.get("reblog"), dict):
            entity["reblog"]["filtered"] = results
        hidden = any(result["filter"]["filter_action"] == FilterAction.HIDE and context in result["filter"]["context"]
                     for result in results)
        if not hidden:
            kept.append(entity)
    return kept


async def filter_statuses(session: AsyncSession, viewer: Account | None, entities: list[dict],
                          context: str | None) -> list[dict]:
    """`apply_filters` with the viewer's active filters; signed out, nothing is filtered."""
    if viewer is None or not entities:
        return entities
    return apply_filters(entities, await load_filters(session, viewer.id), context)


async def public_payloads(session: AsyncSession, hub, streams, entity: dict):
    """For a public stream, whose post is rendered once for everyone: each signed-in listener's
    payload with its own filters applied (`public` context), None where they hide it."""
    plain = json.dumps(entity, separators=(",", ":"))
    payloads: dict[int | None, str | None] = {None: plain}
    for account_id in sorted(hub.account_ids_on(streams)):
        filters = await load_filters(session, account_id)
        if filters:
            kept = apply_filters([copy.deepcopy(entity)], filters, "public")
            payloads[account_id] = json.dumps(kept[0], separators=(",", ":")) if kept else None
    return lambda listener: payloads.get(listener.account_id, plain)
