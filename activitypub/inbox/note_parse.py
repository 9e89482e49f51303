"""Reading a remote Note (or Article, Page, Question) into a RemoteNote: the values of a
Post, its images and whom it mentions.

Everything is size-limited and the HTML is sanitized here, before anything is stored.
"""

from dataclasses import dataclass
from datetime import datetime, timezone

from ..context import PUBLIC
from ..errors import InvalidActivity
from ..sanitize import sanitize_html
from ..shapes import as_list, audience, first_url, has_type, id_of, same_origin, storable, text_of

POST_TYPES = ("Note", "Article", "Page", "Question", "Image", "Video")
MAX_CONTENT = 100_000
MAX_ATTACHMENTS = 16
MAX_MENTIONS = 64
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif", "image/avif")


def is_post(document) -> bool:
    return has_type(document, *POST_TYPES)


def parse_time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def visibility_of(note: dict, followers_uri: str | None) -> str:
    to = {PUBLIC if id_of(x) in ("as:Public", "Public") else id_of(x) for x in as_list(note.get("to"))}
    everyone = audience(note)
    if PUBLIC in to:
        return "public"
    if PUBLIC in everyone:
        return "unlisted"
    if followers_uri and followers_uri in everyone:
        return "private"
    return "direct"


def quote_uri_of(note: dict) -> str | None:
    # FEP-044f `quote`, then the older spellings still sent by Misskey, Fedibird and others.
    for key in ("quote", "_misskey_quote", "quoteUrl", "quoteUri"):
        ref = id_of(note.get(key))
        if ref:
            return ref
    return None


def quote_policy_of(note: dict, author_uri: str, followers_uri: str | None) -> str:
    """Who may quote a remote post without asking, from `interactionPolicy.canQuote`'s
    `automaticApproval` (FEP-044f): `public`, `followers` or `nobody`. As on Mastodon, a post
    without a policy, or with one naming only others this node cannot judge, is `nobody`'s."""
    policy = note.get("interactionPolicy")
    can_quote = policy.get("canQuote") if isinstance(policy, dict) else None
    allowed = {id_of(item) for item in as_list(can_quote.get("automaticApproval"))[:32]} \
        if isinstance(can_quote, dict) else set()
    if allowed & {PUBLIC, "as:Public", "Public"}:
        return "public"
    if followers_uri and followers_uri in allowed:
        return "followers"
    return "nobody"


@dataclass(frozen=True)
class RemoteNote:
    """A remote post as this node keeps it: `fields` are Post column values (object_uri,
    content, visibility, in_reply_to_uri, quote_of_uri, tags, ...), `attachments` the
    MediaAttachment values of its images, `mention_uris` the actors it mentions, and
    `updated` the time of its latest edit, when it says; `quote_authorization` the
    QuoteAuthorization a quote carries once its quoted author's server consented."""

    fields: dict
    attachments: list[dict]
    mention_uris: list[str]
    updated: datetime | None
    quote_authorization: str | None = None
    poll: object = None  # a RemotePoll (activitypub/inbox/question_parse.py) for a Question

    @property
    def object_uri(self) -> str:
        return self.fields["object_uri"]


def parse_note(note: dict, author_uri: str, followers_uri: str | None) -> RemoteNote:
    """InvalidActivity unless `note` is a post by `author_uri` from the author's own server."""
    note = storable(note)
    fields = note_to_post_values(note, author_uri, followers_uri)
    authorization = id_of(note.get("quoteAuthorization")) if fields["quote_of_uri"] else None
    from .question_parse import parse_question  # it reads times with parse_time from here

    return RemoteNote(fields=fields, attachments=attachment_values(note), mention_uris=mention_uris(note)[:MAX_MENTIONS],
                      updated=parse_time(note.get("updated")), quote_authorization=authorization,
                      poll=parse_question(note))


def note_to_post_values(note: dict, author_uri: str, followers_uri: str | None) -> dict:
    object_uri = id_of(note.get("id"))
    if not object_uri:
        raise InvalidActivity("the post has no id")
    attributed = id_of(note.get("attributedTo")) or author_uri
    if attributed != author_uri or not same_origin(object_uri, author_uri):
        raise InvalidActivity("the post is not attributed to the actor that sent it")
    content = note.get("content")
    if not isinstance(content, str):
        content = text_of(note.get("contentMap"), MAX_CONTENT)
    language = next(iter(note["contentMap"]), None) if isinstance(note.get("contentMap"), dict) else None
    generation = note.get("generation") if isinstance(note.get("generation"), dict) else None
    return {
        "object_uri": object_uri,
        "url": first_url(note.get("url")) or object_uri,
        "content": sanitize_html(content[:MAX_CONTENT]),
        "spoiler_text": text_of(note.get("summary"), 2000),
        "sensitive": bool(note.get("sensitive")),
        "language": (language or None) and str(language)[:16],
        "visibility": visibility_of(note, followers_uri),
        "in_reply_to_uri": id_of(note.get("inReplyTo")),
        "quote_of_uri": quote_uri_of(note),
        "quote_policy": quote_policy_of(note, author_uri, followers_uri),
        "to_uris": [u for u in (id_of(x) for x in as_list(note.get("to"))) if u][:100],
        "cc_uris": [u for u in (id_of(x) for x in as_list(note.get("cc"))) if u][:100],
        "tags": hashtags_of(note),
        "generation": _small_dict(generation),
        "created_at": parse_time(note.get("published")) or datetime.now(timezone.utc),
    }


def _small_dict(value: dict | None) -> dict | None:
    if not value:
        return None
    return {str(k)[:64]: v for k, v in list(value.items())[:16] if isinstance(v, (str, int, float, bool)) or v is None}


def hashtags_of(note: dict) -> list[str]:
    names = []
    for tag in as_list(note.get("tag"))[:64]:
        if has_type(tag, "Hashtag") and isinstance(tag.get("name"), str):
            names.append(tag["name"].lstrip("#").lower()[:100])
    return names


def mention_uris(note: dict) -> list[str]:
    return [id_of(tag.get("href")) for tag in as_list(note.get("tag"))[:64]
            if has_type(tag, "Mention") and id_of(tag.get("href"))]


def attachment_values(note: dict) -> list[dict]:
    """Media rows for the image attachments (Document or Image with an image type)."""
    rows = []
    for item in as_list(note.get("attachment"))[:MAX_ATTACHMENTS]:
        if not isinstance(item, dict) or not has_type(item, "Image", "Document"):
            continue
        url = first_url(item.get("url"), prefer_types=IMAGE_TYPES)
        media_type = item.get("mediaType") if isinstance(item.get("mediaType"), str) else ""
        if not url or not (media_type.startswith("image/") or has_type(item, "Image")):
            continue
        rows.append({
            "remote_url": url,
            "media_type": media_type or "image/jpeg",
            "description": text_of(item.get("name"), 5000) or text_of(item.get("summary"), 5000),
            "blurhash": text_of(item.get("blurhash"), 128) or None,
            "width": _dimension(item.get("width")),
            "height": _dimension(item.get("height")),
            "focus_x": _focus(item.get("focalPoint"), 0),
            "focus_y": _focus(item.get("focalPoint"), 1),
        })
    return rows


def _dimension(value) -> int | None:
    return value if isinstance(value, int) and 0 < value <= 100_000 else None


def _focus(value, index: int) -> float:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
        return max(-1.0, min(1.0, float(value[index])))
    return 0.0
