"""JSON-LD contexts we emit. Built in, never fetched at run time (see DESIGN.md)."""

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
MURALIST_NS = "https://muralist.social/ns#"

# The extension terms Mastodon, Pixelfed and GoToSocial read from actors and posts.
EXTENSION_TERMS = {
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "toot": "http://joinmastodon.org/ns#",
    "featured": {"@id": "toot:featured", "@type": "@id"},
    "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
    "discoverable": "toot:discoverable",
    "indexable": "toot:indexable",
    "blurhash": "toot:blurhash",
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
    "schema": "http://schema.org#",
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
    "muralist": MURALIST_NS,
}

ACTOR_CONTEXT = [AS_CONTEXT, SECURITY_CONTEXT, EXTENSION_TERMS]

FEP_044F = "https://w3id.org/fep/044f#"
GTS_NS = "https://gotosocial.org/ns#"

# Terms a post needs beyond the actor's: quote posts (FEP-044f and the older Misskey and
# Fedibird spellings), GoToSocial's interaction policies, and Muralist's generation record.
POST_TERMS = {
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "quote": {"@id": f"{FEP_044F}quote", "@type": "@id"},
    "quoteAuthorization": {"@id": f"{FEP_044F}quoteAuthorization", "@type": "@id"},
    "QuoteRequest": f"{FEP_044F}QuoteRequest",
    "QuoteAuthorization": f"{FEP_044F}QuoteAuthorization",
    "quoteUrl": "as:quoteUrl",
    "quoteUri": "http://fedibird.com/ns#quoteUri",
    "_misskey_quote": "https://misskey-hub.net/ns#_misskey_quote",
    "gts": GTS_NS,
    "interactionPolicy": {"@id": "gts:interactionPolicy", "@type": "@id"},
    "canQuote": {"@id": "gts:canQuote", "@type": "@id"},
    "automaticApproval": {"@id": "gts:automaticApproval", "@type": "@id"},
    "manualApproval": {"@id": "gts:manualApproval", "@type": "@id"},
    "interactingObject": {"@id": "gts:interactingObject", "@type": "@id"},
    "interactionTarget": {"@id": "gts:interactionTarget", "@type": "@id"},
    # A remix names the post it remixes, whether or not its quote was authorized.
    "remixOf": {"@id": "muralist:remixOf", "@type": "@id"},
    # The generation record. Its `source` (the remixed image) is left to as:source, whose
    # meaning ("the source from which the content was derived") is exactly that; redefining
    # `source` here would change it for the whole document.
    "generation": "muralist:generation",
    "prompt": "muralist:prompt",
    "style": "muralist:style",
    "generator": "muralist:generator",
    "model": "muralist:model",
    "seed": "muralist:seed",
}

NOTE_CONTEXT = [AS_CONTEXT, {**EXTENSION_TERMS, **POST_TERMS}]
# What a quote's consent travels with: QuoteRequest, its Accept/Reject, QuoteAuthorization.
QUOTE_CONTEXT = [AS_CONTEXT, {key: POST_TERMS[key] for key in (
    "QuoteRequest", "QuoteAuthorization", "quote", "quoteAuthorization", "gts", "interactingObject",
    "interactionTarget")}]

AS2_MEDIA_TYPE = "application/activity+json"
LD_MEDIA_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def is_as2_media_type(value: str) -> bool:
    """True for either AS2 form of a content type or Accept entry (parameters may vary)."""
    main, _, params = value.partition(";")
    main = main.strip().lower()
    if main == "application/activity+json":
        return True
    return main == "application/ld+json" and "activitystreams" in params
