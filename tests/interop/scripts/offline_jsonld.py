"""Keeps bovine's JSON-LD processing on this machine: every context it asks for is answered
from memory, and no context is ever fetched over the network.

bovine compacts every activity it receives or sends with pyld, and its document loader
(bovine.jsonld.wrapper) downloads any context it does not carry itself, such as
https://w3id.org/security/v1, which every Mastodon-style actor lists. The interop tests may
reach nothing beyond 127.0.0.1, so `install()` replaces that loader: bovine's own contexts
come from bovine, the security, DID and Multikey contexts from the copies below (the terms
that actor documents and signatures use), and anything else is an empty context, which is
what bovine itself falls back to when a download fails.
"""

import logging

from pyld import jsonld

log = logging.getLogger("offline_jsonld")

SECURITY_V1 = {
    "id": "@id",
    "type": "@type",
    "dc": "http://purl.org/dc/terms/",
    "sec": "https://w3id.org/security#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "Ed25519Signature2018": "sec:Ed25519Signature2018",
    "GraphSignature2012": "sec:GraphSignature2012",
    "LinkedDataSignature2015": "sec:LinkedDataSignature2015",
    "LinkedDataSignature2016": "sec:LinkedDataSignature2016",
    "RsaSignature2017": "sec:RsaSignature2017",
    "CryptographicKey": "sec:Key",
    "canonicalizationAlgorithm": "sec:canonicalizationAlgorithm",
    "created": {"@id": "dc:created", "@type": "xsd:dateTime"},
    "creator": {"@id": "dc:creator", "@type": "@id"},
    "digestAlgorithm": "sec:digestAlgorithm",
    "digestValue": "sec:digestValue",
    "domain": "sec:domain",
    "expiration": {"@id": "sec:expiration", "@type": "xsd:dateTime"},
    "expires": {"@id": "sec:expiration", "@type": "xsd:dateTime"},
    "nonce": "sec:nonce",
    "normalizationAlgorithm": "sec:normalizationAlgorithm",
    "owner": {"@id": "sec:owner", "@type": "@id"},
    "privateKey": {"@id": "sec:privateKey", "@type": "@id"},
    "privateKeyPem": "sec:privateKeyPem",
    "publicKey": {"@id": "sec:publicKey", "@type": "@id"},
    "publicKeyBase58": "sec:publicKeyBase58",
    "publicKeyPem": "sec:publicKeyPem",
    "publicKeyService": {"@id": "sec:publicKeyService", "@type": "@id"},
    "revoked": {"@id": "sec:revoked", "@type": "xsd:dateTime"},
    "signature": "sec:signature",
    "signatureAlgorithm": "sec:signingAlgorithm",
    "signatureValue": "sec:signatureValue",
}

MULTIKEY_V1 = {
    "id": "@id",
    "type": "@type",
    "Multikey": "https://w3id.org/security#Multikey",
    "controller": {"@id": "https://w3id.org/security#controller", "@type": "@id"},
    "publicKeyMultibase": {"@id": "https://w3id.org/security#publicKeyMultibase",
                           "@type": "https://w3id.org/security#multibase"},
}

DID_V1 = {
    "id": "@id",
    "type": "@type",
    "alsoKnownAs": {"@id": "https://www.w3.org/ns/activitystreams#alsoKnownAs", "@type": "@id"},
    "assertionMethod": {"@id": "https://w3id.org/security#assertionMethod", "@type": "@id",
                        "@container": "@set"},
    "authentication": {"@id": "https://w3id.org/security#authenticationMethod", "@type": "@id",
                       "@container": "@set"},
    "controller": {"@id": "https://w3id.org/security#controller", "@type": "@id"},
    "verificationMethod": {"@id": "https://w3id.org/security#verificationMethod", "@type": "@id"},
}

LOCAL_CONTEXTS = {
    "https://w3id.org/security/v1": SECURITY_V1,
    "https://w3id.org/security/multikey/v1": MULTIKEY_V1,
    "https://www.w3.org/ns/did/v1": DID_V1,
}


def _document(url: str, context) -> dict:
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": {"@context": context}}


def offline_loader(url, options=None, **kwargs):
    import bovine.jsonld as bovine_jsonld

    if url in LOCAL_CONTEXTS:
        return _document(url, LOCAL_CONTEXTS[url])
    if url in (bovine_jsonld.bovine_context_name, "https://www.w3.org/ns/activitystreams") \
            or url.startswith("http://joinmastodon.org/ns"):
        return bovine_jsonld.wrapper(url, options)  # answered from bovine's own copies
    log.warning("JSON-LD context %s is not known offline; using an empty context", url)
    return _document(url, [])


def install() -> None:
    """Call before bovine processes any document (importing bovine.jsonld installs its loader)."""
    import bovine.jsonld  # noqa: F401 - its import sets the loader that is replaced here

    jsonld.set_document_loader(offline_loader)
