"""Serializing a local post as an ActivityPub `Note`: addressing, image attachments, mentions
and hashtags, the quote fallbacks, the quote policy and the generation record.

The shape follows what Mastodon, Pixelfed and GoToSocial read (see DESIGN.md, "Wire rules").
"""

from collections.abc import Callable, Iterable
from urllib.parse import quote as url_quote
from urllib.parse import urlsplit

from ..actor import format_datetime
from ..context import LD_MEDIA_TYPE, NOTE_CONTEXT, PUBLIC

MAX_IMAGES = 4
# The keys of a generation record that go on the wire; anything else a row holds stays home.
GENERATION_KEYS = ("prompt", "style", "generator", "model", "seed", "source")


def addressing(visibility: str, author_uri: str, followers_uri: str | None,
               mentioned_uris: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """`to` and `cc` for a post, as Mastodon addresses each visibility.

    Mentioned actors go in `cc` (in `to` for a direct post) so their servers deliver the post
    to them and show the mention even when they do not follow the author.
    """
    followers = [followers_uri] if followers_uri else []
    mentioned = [uri for uri in dict.fromkeys(mentioned_uris) if uri != author_uri]
    if visibility == "public":
        return [PUBLIC], followers + mentioned
    if visibility == "unlisted":
        return followers, [PUBLIC] + mentioned
    if visibility == "private":
        return followers, mentioned
    return mentioned, []


def acct_of(account) -> str:
    """`user@domain` for any account; a local one takes the host its actor URI is served on."""
    domain = account.domain or urlsplit(account.actor_uri).netloc
    return f"{account.username}@{domain}"


def quote_policy(policy: str, visibility: str, author_uri: str, followers_uri: str | None) -> dict:
    """FEP-044f `interactionPolicy.canQuote` as Mastodon 4.5 writes it: who may quote without
    asking (`public`: the Public collection; `followers`: the followers collection; `nobody`:
    the author alone). Mastodon reads a missing policy as "nobody", so every post states one;
    followers-only and direct posts are quotable by nobody else, whatever the setting."""
    if visibility not in ("public", "unlisted"):
        policy = "nobody"
    if policy == "public":
        allowed = [PUBLIC]
    elif policy == "followers" and followers_uri:
        allowed = [followers_uri]
    else:
        allowed = [author_uri]
    return {"canQuote": {"automaticApproval": allowed, "manualApproval": []}}


def image_attachment(media, media_url: Callable[[str], str]) -> dict:
    """One image as Mastodon sends it: alt text in `name` (Mastodon, Pixelfed) and in `summary`
    (GoToSocial reads that), a plain URL string, blurhash, size and focal point."""
    alt = media.description or None
    return {
        "type": "Image",
        "mediaType": media.media_type,
        "url": media_url(media.file_path) if media.file_path else media.remote_url,
        "name": alt,
        "summary": alt,
        "blurhash": media.blurhash,
        "width": media.width,
        "height": media.height,
        "focalPoint": [media.focus_x or 0.0, media.focus_y or 0.0],
    }


def mention_tag(account) -> dict:
    return {"type": "Mention", "href": account.actor_uri, "name": f"@{acct_of(account)}"}


def hashtag_tag(name: str, tag_url: Callable[[str], str]) -> dict:
    return {"type": "Hashtag", "href": tag_url(name), "name": f"#{name}"}


def quote_link_tag(quote_uri: str) -> dict:
    # FEP-e232 object link: how Misskey-family servers and FEP-044f readers find a quote.
    return {"type": "Link", "mediaType": LD_MEDIA_TYPE, "rel": "https://misskey-hub.net/ns#_misskey_quote",
            "href": quote_uri, "name": f"RE: {quote_uri}"}


def generation_record(generation: dict | None) -> dict | None:
    if not generation:
        return None
    record = {key: generation[key] for key in GENERATION_KEYS if generation.get(key) is not None}
    return record or None


def _default_tag_url(object_uri: str) -> Callable[[str], str]:
    parts = urlsplit(object_uri)
    return lambda name: f"{parts.scheme}://{parts.netloc}/tags/{url_quote(name)}"


def _tags(post, mentions, tag_url, quote_uri) -> list[dict]:
    tags = [mention_tag(account) for account in mentions]
    tags += [hashtag_tag(name, tag_url) for name in (post.tags or []) if isinstance(name, str)]
    if quote_uri:
        tags.append(quote_link_tag(quote_uri))
    return tags


def post_to_note(post, author, media: list, *, media_url: Callable[[str], str], mentions: Iterable = (),
                 quote=None, tag_url: Callable[[str], str] | None = None,
                 quote_authorization: str | None = None) -> dict:
    """The `Note` for a local post; its `id` is the URL it is served at. A quote carries its
    `quoteAuthorization` once the quoted author's server granted it (FEP-044f)."""
    mentions = list(mentions)
    if post.to_uris or post.cc_uris:
        to, cc = list(post.to_uris or []), list(post.cc_uris or [])
    else:
        to, cc = addressing(post.visibility, author.actor_uri, author.followers_uri,
                            [account.actor_uri for account in mentions])
    quote_uri = post.quote_of_uri or (quote.object_uri if quote is not None else None)
    note = {
        "@context": NOTE_CONTEXT,
        "id": post.object_uri,
        "type": "Note",
        "attributedTo": author.actor_uri,
        "to": to,
        "cc": cc,
        "published": format_datetime(post.created_at),
        "url": post.url or post.object_uri,
        "summary": post.spoiler_text or None,
        "sensitive": bool(post.sensitive),
        "inReplyTo": post.in_reply_to_uri,
        "content": post.content or "",
        "attachment": [image_attachment(item, media_url) for item in media[:MAX_IMAGES]],
        "tag": _tags(post, mentions, tag_url or _default_tag_url(post.object_uri), quote_uri),
        "interactionPolicy": quote_policy(getattr(post, "quote_policy", None) or "public", post.visibility,
                                          author.actor_uri, author.followers_uri),
    }
    if post.edited_at is not None:
        note["updated"] = format_datetime(post.edited_at)
    if post.language:
        note["contentMap"] = {post.language: note["content"]}
    if quote_uri:
        # FEP-044f `quote`, with the older spellings other servers still read.
        note.update({"quote": quote_uri, "quoteUrl": quote_uri, "quoteUri": quote_uri,
                     "_misskey_quote": quote_uri})
        if quote_authorization:
            note["quoteAuthorization"] = quote_authorization
        if post.generation:
            note["remixOf"] = quote_uri
    record = generation_record(post.generation)
    if record is not None:
        note["generation"] = record
    return note
