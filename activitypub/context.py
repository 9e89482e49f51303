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

AS2_MEDIA_TYPE = "application/activity+json"
LD_MEDIA_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def is_as2_media_type(value: str) -> bool:
    """True for either AS2 form of a content type or Accept entry (parameters may vary)."""
    main, _, params = value.partition(";")
    main = main.strip().lower()
    if main == "application/activity+json":
        return True
    return main == "application/ld+json" and "activitystreams" in params
