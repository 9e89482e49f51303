"""Digest (RFC 3230) and Content-Digest (RFC 9530) computation and checking."""

import base64
import hashlib

import pytest
from http_message_signatures import ContentDigest
from multidict import CIMultiDict

from activitypub.digest import (
    content_digest_header,
    digest_header,
    verify_body_digests,
    verify_content_digest,
    verify_digest,
)
from activitypub.errors import SignatureError, UnsupportedSignature

BODY = b'{"type": "Like", "object": "https://b.example/notes/1"}'
SHA256 = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
SHA512 = base64.b64encode(hashlib.sha512(BODY).digest()).decode()


def test_digest_header_known_value():
    # sha256("hello") from any reference implementation.
    assert digest_header(b"hello") == "SHA-256=LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="
    assert digest_header(BODY) == f"SHA-256={SHA256}"


def test_content_digest_header_matches_independent_implementation():
    assert content_digest_header(BODY) == f"sha-256=:{SHA256}:"
    ContentDigest.verify(content_digest_header(BODY), BODY)
    verify_content_digest(ContentDigest.create(BODY), BODY)


@pytest.mark.parametrize("value", [
    f"SHA-256={SHA256}",
    f"sha-256={SHA256}",
    f"Sha-256={SHA256}",
    f"SHA-256=:{SHA256}:",
    f"MD5=abc, SHA-256={SHA256}",
    f"SHA-512={SHA512},SHA-256={SHA256}",
    f"  SHA-256 = {SHA256} ",
])
def test_verify_digest_accepts(value):
    verify_digest(value, BODY)


@pytest.mark.parametrize("value", [
    f"SHA-256={SHA512}",
    f"SHA-256={SHA256}, SHA-512={SHA256}",
    "MD5=abc, UNIXsum=30637",
    "SHA-256=not base64!",
    "",
    None,
])
def test_verify_digest_rejects(value):
    with pytest.raises(SignatureError) as raised:
        verify_digest(value, BODY)
    assert not isinstance(raised.value, UnsupportedSignature)


def test_verify_digest_detects_tampered_body():
    with pytest.raises(SignatureError, match="does not match"):
        verify_digest(digest_header(BODY), BODY + b" ")


def test_empty_body_and_none_are_the_same():
    verify_digest(digest_header(b""), None)
    verify_content_digest(content_digest_header(b""), None)


@pytest.mark.parametrize("value", [
    f"sha-256=:{SHA256}:",
    f"SHA-256=:{SHA256}:",
    f"sha-512=:{SHA512}:, sha-256=:{SHA256}:",
    f"md5=:abc=:, sha-256=:{SHA256}:",
    f"sha-256=:{SHA256}:;param=1",
    f"unixsum=30637, sha-256=:{SHA256}:",
])
def test_verify_content_digest_accepts(value):
    verify_content_digest(value, BODY)


@pytest.mark.parametrize("value", [
    f"sha-256={SHA256}",
    f"sha-256=:{SHA512}:",
    "md5=:abc=:",
    "",
    None,
])
def test_verify_content_digest_rejects(value):
    with pytest.raises(SignatureError):
        verify_content_digest(value, BODY)


def test_verify_body_digests_uses_whatever_is_present():
    verify_body_digests(CIMultiDict({"digest": digest_header(BODY)}), BODY)
    verify_body_digests({"Content-Digest": content_digest_header(BODY)}, BODY)
    both = CIMultiDict({"Digest": digest_header(BODY), "Content-Digest": content_digest_header(BODY)})
    verify_body_digests(both, BODY)


def test_verify_body_digests_checks_both_headers():
    headers = CIMultiDict({"Digest": digest_header(BODY), "Content-Digest": content_digest_header(b"x")})
    with pytest.raises(SignatureError, match="Content-Digest"):
        verify_body_digests(headers, BODY)


def test_verify_body_digests_requires_one():
    with pytest.raises(SignatureError, match="neither"):
        verify_body_digests(CIMultiDict({"Content-Type": "application/activity+json"}), BODY)


def test_repeated_digest_fields_are_combined():
    headers = CIMultiDict([("Digest", "MD5=abc"), ("Digest", f"SHA-256={SHA256}")])
    verify_body_digests(headers, BODY)
