"""Activity builders. Ids are minted from the actor's URI and a database key so they are stable
and fetchable; `Undo` and `Accept` embed the activity they answer (Mastodon and GoToSocial
match on the embedded object rather than fetching it)."""

from ..context import AS_CONTEXT, PUBLIC, QUOTE_CONTEXT


def _activity(kind: str, activity_uri: str, actor_uri: str, obj, **extra) -> dict:
    document = {"@context": AS_CONTEXT, "id": activity_uri, "type": kind, "actor": actor_uri, "object": obj}
    document.update(extra)
    return document


def strip_context(activity: dict) -> dict:
    """An activity embedded in another carries no @context of its own."""
    return {key: value for key, value in activity.items() if key != "@context"}


def follow(follow_uri: str, actor_uri: str, target_uri: str) -> dict:
    return _activity("Follow", follow_uri, actor_uri, target_uri)


def accept_follow(actor_uri: str, follow_activity: dict) -> dict:
    follow_id = follow_activity["id"]
    return _activity("Accept", f"{actor_uri}#accepts/follows/{_tail(follow_id)}", actor_uri,
                     strip_context(follow_activity))


def reject_follow(actor_uri: str, follow_activity: dict) -> dict:
    follow_id = follow_activity["id"]
    return _activity("Reject", f"{actor_uri}#rejects/follows/{_tail(follow_id)}", actor_uri,
                     strip_context(follow_activity))


def undo(actor_uri: str, original: dict) -> dict:
    return _activity("Undo", f"{original['id']}/undo", actor_uri, strip_context(original))


def like(like_uri: str, actor_uri: str, object_uri: str) -> dict:
    # Like.object is a URI string: some servers reject an embedded object here.
    return _activity("Like", like_uri, actor_uri, object_uri)


def announce(announce_uri: str, actor_uri: str, object_uri: str, followers_uri: str, author_uri: str,
             published: str) -> dict:
    return _activity("Announce", announce_uri, actor_uri, object_uri, published=published,
                     to=[PUBLIC], cc=[followers_uri, author_uri])


def create(actor_uri: str, note: dict) -> dict:
    embedded = strip_context(note)
    return _activity("Create", f"{note['id']}/activity", actor_uri, embedded, published=note.get("published"),
                     to=note.get("to", []), cc=note.get("cc", []), **({"@context": note["@context"]} if "@context" in note else {}))


def update(actor_uri: str, obj: dict, activity_uri: str) -> dict:
    embedded = strip_context(obj)
    return _activity("Update", activity_uri, actor_uri, embedded, to=obj.get("to", [PUBLIC]), cc=obj.get("cc", []),
                     **({"@context": obj["@context"]} if "@context" in obj else {}))


def delete_object(actor_uri: str, object_uri: str, to: list[str], cc: list[str]) -> dict:
    # Delete carries a Tombstone with the id, the form Mastodon sends and expects.
    return _activity("Delete", f"{object_uri}#delete", actor_uri, {"id": object_uri, "type": "Tombstone"},
                     to=to, cc=cc)


def delete_actor(actor_uri: str) -> dict:
    return _activity("Delete", f"{actor_uri}#delete", actor_uri, actor_uri, to=[PUBLIC])


# --- moderation ---------------------------------------------------------------------------

def block(block_uri: str, actor_uri: str, target_uri: str) -> dict:
    # Mastodon sends Block with the blocked actor's id as a string object and no addressing.
    return _activity("Block", block_uri, actor_uri, target_uri)


def flag(flag_uri: str, actor_uri: str, object_uris: list[str], content: str) -> dict:
    """A report forwarded to the reported account's server, as Mastodon sends it: from the
    instance actor, `object` the reported actor followed by the reported posts."""
    return _activity("Flag", flag_uri, actor_uri, list(object_uris), content=content)


def move(actor_uri: str, target_uri: str) -> dict:
    return _activity("Move", f"{actor_uri}#moves/{_tail(target_uri)}", actor_uri, actor_uri, target=target_uri)


# --- quotes (FEP-044f, as Mastodon 4.5 sends them) ---------------------------------------

def quote_request(request_uri: str, actor_uri: str, quoted_uri: str, quoting_note: dict) -> dict:
    """Asking the quoted author's server for consent; the quoting post travels embedded as
    `instrument`, so the server need not fetch it."""
    return {"@context": QUOTE_CONTEXT, "id": request_uri, "type": "QuoteRequest", "actor": actor_uri,
            "object": quoted_uri, "instrument": strip_context(quoting_note)}


def _request_echo(request: dict) -> dict:
    # The request as the answer names it (Mastodon matches its own QuoteRequest by this id):
    # the quoting post by id only.
    instrument = request.get("instrument")
    return {"id": request["id"], "type": "QuoteRequest", "actor": request["actor"], "object": request["object"],
            "instrument": instrument.get("id") if isinstance(instrument, dict) else instrument}


def accept_quote_request(actor_uri: str, request: dict, authorization_uri: str) -> dict:
    """Consent: the Accept's `result` is the QuoteAuthorization the quote then carries."""
    return {"@context": QUOTE_CONTEXT, "id": f"{actor_uri}#accepts/quote_requests/{_tail(request['id'])}",
            "type": "Accept", "actor": actor_uri, "object": _request_echo(request), "result": authorization_uri}


def reject_quote_request(actor_uri: str, request: dict) -> dict:
    return {"@context": QUOTE_CONTEXT, "id": f"{actor_uri}#rejects/quote_requests/{_tail(request['id'])}",
            "type": "Reject", "actor": actor_uri, "object": _request_echo(request)}


def quote_authorization(authorization_uri: str, author_uri: str, quoting_uri: str, quoted_uri: str) -> dict:
    """The dereferenceable stamp: `attributedTo` the quoted author, on the quoted author's server."""
    return {"@context": QUOTE_CONTEXT, "id": authorization_uri, "type": "QuoteAuthorization",
            "attributedTo": author_uri, "interactingObject": quoting_uri, "interactionTarget": quoted_uri}


def delete_quote_authorization(authorization: dict) -> dict:
    """Revoking consent: a Delete of the stamp, embedded so receivers need not fetch a 404."""
    return {"@context": QUOTE_CONTEXT, "id": f"{authorization['id']}#delete", "type": "Delete",
            "actor": authorization["attributedTo"], "to": [PUBLIC], "object": strip_context(authorization)}


def _tail(uri: str) -> str:
    """A short stable suffix for derived ids."""
    import hashlib

    return hashlib.sha256(uri.encode()).hexdigest()[:16]


def add_to_collection(activity_uri: str, actor_uri: str, object_uri: str, collection_uri: str) -> dict:
    """`Add` of a post to the actor's `featured` collection: Mastodon's pin."""
    return _activity("Add", activity_uri, actor_uri, object_uri, target=collection_uri, to=[PUBLIC])


def remove_from_collection(activity_uri: str, actor_uri: str, object_uri: str, collection_uri: str) -> dict:
    return _activity("Remove", activity_uri, actor_uri, object_uri, target=collection_uri, to=[PUBLIC])
