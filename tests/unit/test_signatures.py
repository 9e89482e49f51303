"""HTTP signatures, cross-checked against two independent implementations:
`httpsig` for draft-cavage and `http-message-signatures` for RFC 9421.
"""

import base64
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import formatdate

import httpsig
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    MappingKeyResolver,
    algorithms,
)
from multidict import CIMultiDict

from activitypub.digest import digest_header
from activitypub.errors import SignatureError, UnsupportedSignature
from activitypub.signature_core import load_public_key, verify_bytes
from activitypub.signatures import (
    PublicKeyInfo,
    key_id_to_actor_uri,
    sign_request,
    sign_request_rfc9421,
    verify_request,
)

ACTOR = "https://a.example/users/alice"
KEY_ID = ACTOR + "#main-key"
INBOX = "https://b.example/users/bob/inbox"
BODY = b'{"type": "Follow", "actor": "https://a.example/users/alice"}'
AP_JSON = "application/activity+json"


def _pems(key) -> tuple[str, str]:
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


RSA_PRIV, RSA_PUB = _pems(rsa.generate_private_key(public_exponent=65537, key_size=2048))
NEW_PRIV, NEW_PUB = _pems(rsa.generate_private_key(public_exponent=65537, key_size=2048))
ED_PRIV, ED_PUB = _pems(ed25519.Ed25519PrivateKey.generate())


class Keys:
    """A get_key stand-in that records its calls and can serve a rotated key on refresh."""

    def __init__(self, pem: str, fresh_pem: str | None = None):
        self.pem, self.fresh_pem, self.calls = pem, fresh_pem, []

    async def __call__(self, key_id: str, refresh: bool) -> PublicKeyInfo:
        self.calls.append((key_id, refresh))
        pem = self.fresh_pem if refresh and self.fresh_pem else self.pem
        return PublicKeyInfo(key_id, key_id_to_actor_uri(key_id), pem)

    @property
    def refreshes(self) -> int:
        return sum(1 for _, refresh in self.calls if refresh)


def post_headers(**extra) -> dict:
    return {"Host": "b.example", "Date": formatdate(usegmt=True), "Digest": digest_header(BODY),
            "Content-Type": AP_JSON, **extra}


def httpsig_sign(method, path, headers, names, *, sign_header="signature", secret=RSA_PRIV,
                 algorithm="rsa-sha256") -> CIMultiDict:
    signer = httpsig.HeaderSigner(KEY_ID, secret, algorithm=algorithm, headers=names,
                                  sign_header=sign_header)
    return CIMultiDict(signer.sign(headers, method=method, path=path))


def hand_sign(private_pem, method, path, headers, names, params, algorithm="hs2019") -> CIMultiDict:
    """A cavage signature built from the draft's text, for forms httpsig cannot make."""
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"{name}: {method.lower()} {path}")
        elif name in ("(created)", "(expires)"):
            lines.append(f"{name}: {params[name[1:-1]]}")
        else:
            lines.append(f"{name}: {', '.join(v for k, v in headers if k.lower() == name)}")
    key = serialization.load_pem_private_key(private_pem.encode(), None)
    data = "\n".join(lines).encode()
    raw = key.sign(data) if isinstance(key, ed25519.Ed25519PrivateKey) \
        else key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    extra = "".join(f",{k}={v}" for k, v in params.items())
    value = (f'keyId="{KEY_ID}",algorithm="{algorithm}",headers="{" ".join(names)}"{extra},'
             f'signature="{base64.b64encode(raw).decode()}"')
    return CIMultiDict([*headers, ("Signature", value)])


async def assert_rejected(method, path, headers, body, keys, match=None, **kwargs):
    with pytest.raises(SignatureError, match=match) as raised:
        await verify_request(method, path, headers, body, keys, **kwargs)
    assert not isinstance(raised.value, UnsupportedSignature), raised.value


async def assert_unsupported(headers, body=BODY, method="POST"):
    with pytest.raises(UnsupportedSignature):
        await verify_request(method, "/users/bob/inbox", headers, body, Keys(RSA_PUB))


# --- draft-cavage: our signer ----------------------------------------------------

def test_sign_request_post_headers():
    headers = sign_request("POST", INBOX, {}, BODY, KEY_ID, RSA_PRIV)
    assert headers["Host"] == "b.example"
    assert re.fullmatch(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT", headers["Date"])
    assert headers["Digest"] == digest_header(BODY)
    assert headers["Content-Type"] == AP_JSON
    assert f'keyId="{KEY_ID}"' in headers["Signature"]
    assert 'algorithm="rsa-sha256"' in headers["Signature"]
    assert 'headers="(request-target) host date digest content-type"' in headers["Signature"]


def test_sign_request_get_and_host_forms():
    headers = sign_request("GET", "https://B.example:443/users/bob", {"Accept": AP_JSON}, None, KEY_ID, RSA_PRIV)
    assert headers["Host"] == "b.example" and "Digest" not in headers
    assert 'headers="(request-target) host date accept"' in headers["Signature"]
    assert sign_request("GET", "http://b.example:8080/x", {}, None, KEY_ID, RSA_PRIV)["Host"] == "b.example:8080"


async def test_our_post_and_get_verify_with_httpsig_and_ourselves():
    post = sign_request("POST", INBOX, {"content-type": AP_JSON}, BODY, KEY_ID, RSA_PRIV)
    verifier = httpsig.HeaderVerifier(post, RSA_PUB, required_headers=["digest"], method="POST",
                                      path="/users/bob/inbox", sign_header="signature")
    assert verifier.verify()
    result = await verify_request("POST", "/users/bob/inbox", CIMultiDict(post), BODY, Keys(RSA_PUB))
    assert (result.key_id, result.owner_uri, result.scheme) == (KEY_ID, ACTOR, "cavage")

    get = sign_request("GET", "https://b.example/users/bob?page=2", {"Accept": AP_JSON}, None, KEY_ID, RSA_PRIV)
    verifier = httpsig.HeaderVerifier(get, RSA_PUB, required_headers=["host"], method="GET",
                                      path="/users/bob?page=2", sign_header="signature")
    assert verifier.verify()
    assert (await verify_request("GET", "/users/bob?page=2", get, None, Keys(RSA_PUB))).scheme == "cavage"


# --- draft-cavage: verifying ------------------------------------------------------

POST_NAMES = ["(request-target)", "host", "date", "digest", "content-type"]


@pytest.mark.parametrize("sign_header", ["signature", "authorization"])
async def test_we_verify_httpsig(sign_header):
    headers = httpsig_sign("POST", "/users/bob/inbox", post_headers(), POST_NAMES, sign_header=sign_header)
    result = await verify_request("POST", "/users/bob/inbox", headers, BODY, Keys(RSA_PUB))
    assert result.owner_uri == ACTOR


@pytest.mark.parametrize("edit", [
    lambda s: s.replace('algorithm="rsa-sha256"', 'algorithm="hs2019"'),
    lambda s: s.replace('algorithm="rsa-sha256",', ""),
])
async def test_hs2019_and_missing_algorithm(edit):
    headers = httpsig_sign("POST", "/users/bob/inbox", post_headers(), POST_NAMES)
    headers["Signature"] = edit(headers["Signature"])
    assert (await verify_request("POST", "/users/bob/inbox", headers, BODY, Keys(RSA_PUB))).scheme == "cavage"


async def test_tampered_body_and_header():
    headers = httpsig_sign("POST", "/users/bob/inbox", post_headers(), POST_NAMES)
    await assert_rejected("POST", "/users/bob/inbox", headers, BODY + b" ", Keys(RSA_PUB), "Digest")
    headers["Content-Type"] = "text/plain"
    await assert_rejected("POST", "/users/bob/inbox", headers, BODY, Keys(RSA_PUB), "does not verify")
    headers = httpsig_sign("POST", "/users/bob/inbox", post_headers(), POST_NAMES)
    await assert_rejected("POST", "/users/carol/inbox", headers, BODY, Keys(RSA_PUB), "does not verify")


async def test_wrong_key_refreshes_exactly_once():
    headers = httpsig_sign("POST", "/users/bob/inbox", post_headers(), POST_NAMES)
    keys = Keys(NEW_PUB)
    await assert_rejected("POST", "/users/bob/inbox", headers, BODY, keys, "does not verify")
    assert keys.calls == [(KEY_ID, False), (KEY_ID, True)]


async def test_rotated_key_is_fetched_again():
    headers = httpsig_sign("POST", "/users/bob/inbox", post_headers(), POST_NAMES, secret=NEW_PRIV)
    keys = Keys(RSA_PUB, fresh_pem=NEW_PUB)
    await verify_request("POST", "/users/bob/inbox", headers, BODY, keys)
    assert keys.calls == [(KEY_ID, False), (KEY_ID, True)]
    keys = Keys("-----BEGIN PUBLIC KEY-----\ndamaged\n-----END PUBLIC KEY-----", fresh_pem=NEW_PUB)
    await verify_request("POST", "/users/bob/inbox", headers, BODY, keys)
    assert keys.refreshes == 1


async def test_good_signature_needs_no_refresh():
    headers = httpsig_sign("POST", "/users/bob/inbox", post_headers(), POST_NAMES)
    keys = Keys(RSA_PUB)
    await verify_request("POST", "/users/bob/inbox", headers, BODY, keys)
    assert keys.refreshes == 0


async def test_clock_skew_window():
    headers = httpsig_sign("POST", "/users/bob/inbox", post_headers(), POST_NAMES)
    now = time.time()
    await assert_rejected("POST", "/users/bob/inbox", headers, BODY, Keys(RSA_PUB), "clock", now=now + 7200)
    await assert_rejected("POST", "/users/bob/inbox", headers, BODY, Keys(RSA_PUB), "clock", now=now - 7200)
    await assert_rejected("POST", "/users/bob/inbox", headers, BODY, Keys(RSA_PUB), "clock",
                          now=now + 120, max_skew=60)
    await verify_request("POST", "/users/bob/inbox", headers, BODY, Keys(RSA_PUB), now=now + 1800)


async def test_post_must_sign_digest_and_get_must_sign_host():
    headers = httpsig_sign("POST", "/users/bob/inbox", post_headers(),
                           ["(request-target)", "host", "date", "content-type"])
    await assert_rejected("POST", "/users/bob/inbox", headers, BODY, Keys(RSA_PUB), "digest")
    get = {"Host": "b.example", "Date": formatdate(usegmt=True)}
    headers = httpsig_sign("GET", "/users/bob", get, ["(request-target)", "date"])
    await assert_rejected("GET", "/users/bob", headers, None, Keys(RSA_PUB), "host")
    headers = httpsig_sign("GET", "/users/bob", get, ["(request-target)", "host"])
    await assert_rejected("GET", "/users/bob", headers, None, Keys(RSA_PUB), "neither date")


async def test_request_target_without_query_string_is_retried():
    get = {"Host": "b.example", "Date": formatdate(usegmt=True)}
    headers = httpsig_sign("GET", "/users/bob/outbox", get, ["(request-target)", "host", "date"])
    await verify_request("GET", "/users/bob/outbox?page=true", headers, None, Keys(RSA_PUB))
    headers = httpsig_sign("GET", "/users/bob/outbox?page=true", get, ["(request-target)", "host", "date"])
    await verify_request("GET", "/users/bob/outbox?page=true", headers, None, Keys(RSA_PUB))


async def test_created_expires_and_ed25519():
    now = int(time.time())
    names = ["(request-target)", "(created)", "(expires)", "host", "digest"]
    pairs = [("Host", "b.example"), ("Digest", digest_header(BODY))]
    for pem, pub in ((RSA_PRIV, RSA_PUB), (ED_PRIV, ED_PUB)):
        headers = hand_sign(pem, "POST", "/inbox", pairs, names, {"created": now, "expires": now + 300})
        assert (await verify_request("POST", "/inbox", headers, BODY, Keys(pub))).scheme == "cavage"
    headers = hand_sign(ED_PRIV, "POST", "/inbox", pairs, names, {"created": now - 600, "expires": now - 300})
    await assert_rejected("POST", "/inbox", headers, BODY, Keys(ED_PUB), "expired")
    headers = hand_sign(ED_PRIV, "POST", "/inbox", pairs, names, {"created": now - 7200, "expires": now + 60})
    await assert_rejected("POST", "/inbox", headers, BODY, Keys(ED_PUB), "clock")
    # An Ed25519 key cannot make an rsa-sha256 signature, whatever the bytes say.
    headers = hand_sign(ED_PRIV, "POST", "/inbox", pairs, names[:2] + names[3:], {"created": now},
                        algorithm="rsa-sha256")
    await assert_rejected("POST", "/inbox", headers, BODY, Keys(ED_PUB), "does not verify")


async def test_repeated_header_fields_are_joined():
    pairs = [("Host", "b.example"), ("Date", formatdate(usegmt=True)), ("Accept", AP_JSON),
             ("Accept", "application/ld+json")]
    headers = hand_sign(RSA_PRIV, "GET", "/users/bob", pairs, ["(request-target)", "host", "date", "accept"], {})
    await verify_request("GET", "/users/bob", headers, None, Keys(RSA_PUB))


async def test_key_ids_are_passed_as_is():
    keys = Keys(RSA_PUB)
    headers = sign_request("POST", INBOX, {}, BODY, ACTOR, RSA_PRIV)
    result = await verify_request("POST", "/users/bob/inbox", headers, BODY, keys)
    assert keys.calls == [(ACTOR, False)] and result.owner_uri == ACTOR
    assert key_id_to_actor_uri(KEY_ID) == ACTOR == key_id_to_actor_uri(ACTOR)


@pytest.mark.parametrize("headers", [
    CIMultiDict(post_headers()),
    CIMultiDict(post_headers(Authorization="Bearer abc")),
    CIMultiDict(post_headers(Signature="this is not a signature")),
    CIMultiDict(post_headers(Signature=f'keyId="{KEY_ID}",headers="date"')),
    CIMultiDict(post_headers(Signature=f'keyId="{KEY_ID}",algorithm="rsa-sha256",signature="***"')),
    httpsig_sign("POST", "/users/bob/inbox", post_headers(), POST_NAMES, secret="s3cret",
                 algorithm="hmac-sha256"),
])
async def test_unsupported_forms(headers):
    await assert_unsupported(headers)


def test_public_keys_are_parsed_once():
    assert load_public_key(RSA_PUB) is load_public_key(RSA_PUB)


# --- RFC 9421 -----------------------------------------------------------------------

@dataclass
class Message:
    """The request shape http-message-signatures reads: method, absolute url, headers."""

    method: str
    url: str
    headers: dict


def resolver(public=None, private=None) -> MappingKeyResolver:
    def as_bytes(pem):
        return pem.encode() if isinstance(pem, str) else pem
    return MappingKeyResolver(public_keys={KEY_ID: as_bytes(public)}, private_keys={KEY_ID: as_bytes(private)})


LIB_ALGORITHMS = [("rsa-v1_5-sha256", algorithms.RSA_V1_5_SHA256, RSA_PRIV, RSA_PUB),
                  ("rsa-pss-sha512", algorithms.RSA_PSS_SHA512, RSA_PRIV, RSA_PUB),
                  ("ed25519", algorithms.ED25519, ED_PRIV, ED_PUB)]


def library_sign(msg, private=RSA_PRIV, algorithm=algorithms.RSA_V1_5_SHA256, **kwargs) -> CIMultiDict:
    kwargs.setdefault("covered_component_ids", ("@method", "@authority", "@target-uri"))
    HTTPMessageSigner(signature_algorithm=algorithm, key_resolver=resolver(private=private)).sign(
        msg, key_id=KEY_ID, **kwargs)
    return CIMultiDict({**msg.headers, "Host": "b.example"})


@pytest.mark.parametrize(("alg", "lib_alg", "private", "public"), LIB_ALGORITHMS)
async def test_library_verifies_our_rfc9421(alg, lib_alg, private, public):
    headers = sign_request_rfc9421("POST", INBOX, {"Content-Type": AP_JSON}, BODY, KEY_ID, private, algorithm=alg)
    verifier = HTTPMessageVerifier(signature_algorithm=lib_alg, key_resolver=resolver(public=public))
    [result] = verifier.verify(Message("POST", INBOX, headers), body=BODY,
                               require_components=("@method", "@target-uri", "content-digest"))
    assert result.parameters["keyid"] == KEY_ID and result.body == BODY
    ours = await verify_request("POST", "/users/bob/inbox", headers, BODY, Keys(public))
    assert ours.scheme == "rfc9421"


@pytest.mark.parametrize(("alg", "lib_alg", "private", "public"), LIB_ALGORITHMS)
async def test_we_verify_library_rfc9421(alg, lib_alg, private, public):
    headers = library_sign(Message("POST", INBOX, {"Content-Type": AP_JSON}), private, lib_alg, body=BODY)
    result = await verify_request("POST", "/users/bob/inbox", headers, BODY, Keys(public))
    assert (result.key_id, result.owner_uri, result.scheme) == (KEY_ID, ACTOR, "rfc9421")


async def test_we_verify_library_get_with_path_and_query_components():
    url = "https://b.example/users/bob/outbox?page=true&min_id=5"
    components = ("@method", "@authority", "@path", "@query", "@request-target", "@scheme")
    headers = library_sign(Message("GET", url, {"Accept": AP_JSON}), covered_component_ids=components)
    await verify_request("GET", "/users/bob/outbox?page=true&min_id=5", headers, None, Keys(RSA_PUB))
    await assert_rejected("GET", "/users/bob/outbox?page=false&min_id=5", headers, None, Keys(RSA_PUB))
    await assert_rejected("GET", "/users/bob/outbox?page=true&min_id=5", headers, None, Keys(RSA_PUB),
                          scheme="http")


async def test_rfc9421_tampering_wrong_key_and_rotation():
    headers = library_sign(Message("POST", INBOX, {"Content-Type": AP_JSON}), body=BODY,
                           covered_component_ids=("@method", "@target-uri", "content-type"))
    await assert_rejected("POST", "/users/bob/inbox", headers, BODY + b"!", Keys(RSA_PUB), "Content-Digest")
    keys = Keys(NEW_PUB)
    await assert_rejected("POST", "/users/bob/inbox", headers, BODY, keys, "does not verify")
    assert keys.refreshes == 1
    await verify_request("POST", "/users/bob/inbox", headers, BODY, Keys(NEW_PUB, fresh_pem=RSA_PUB))
    headers["Content-Type"] = "text/html"
    await assert_rejected("POST", "/users/bob/inbox", headers, BODY, Keys(RSA_PUB), "does not verify")


async def test_rfc9421_policy():
    headers = library_sign(Message("POST", INBOX, {"Content-Type": AP_JSON}))
    await assert_rejected("POST", "/users/bob/inbox", headers, BODY, Keys(RSA_PUB), "content-digest")
    headers = library_sign(Message("GET", INBOX, {}), covered_component_ids=("@method", "@path"))
    await assert_rejected("GET", "/users/bob/inbox", headers, None, Keys(RSA_PUB), "@authority")
    stale = library_sign(Message("POST", INBOX, {}), body=BODY, created=datetime.fromtimestamp(time.time() - 7200, tz=timezone.utc))
    await assert_rejected("POST", "/users/bob/inbox", stale, BODY, Keys(RSA_PUB), "clock")
    expired = sign_request_rfc9421("POST", INBOX, {}, BODY, KEY_ID, RSA_PRIV, expires=int(time.time()) - 5)
    await assert_rejected("POST", "/users/bob/inbox", expired, BODY, Keys(RSA_PUB), "expired")


async def test_rfc9421_unsupported_forms():
    hmac_signed = library_sign(Message("POST", INBOX, {}), b"secret", algorithms.HMAC_SHA256, body=BODY)
    await assert_unsupported(hmac_signed)
    query_param = library_sign(Message("POST", INBOX + "?a=1", {}), body=BODY,
                               covered_component_ids=("@method", "@target-uri", '"@query-param";name="a"'))
    await assert_unsupported(query_param)
    broken = CIMultiDict({"Host": "b.example", "Signature-Input": 'sig1=("@method" ', "Signature": "sig1=:AA==:"})
    await assert_unsupported(broken)


async def test_rfc9421_any_verifiable_label_is_enough():
    msg = Message("POST", INBOX, {})
    library_sign(msg, b"secret", algorithms.HMAC_SHA256, body=BODY, label="proxy")
    headers = library_sign(msg, body=BODY, label="actor", append_if_signature_exists=True,
                           use_existing_digest=True)
    assert (await verify_request("POST", "/users/bob/inbox", headers, BODY, Keys(RSA_PUB))).scheme == "rfc9421"


def test_rfc9421_appendix_b26_signature_base():
    # RFC 9421 appendix B.2.6: Ed25519 is deterministic, so the published
    # signature checks our signature base byte for byte.
    from activitypub.rfc9421 import _Request, _signature_base
    from activitypub.structured_fields import parse_dictionary
    public = ("-----BEGIN PUBLIC KEY-----\n"
              "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n-----END PUBLIC KEY-----\n")
    signature_input = ('sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length")'
                       ';created=1618884473;keyid="test-key-ed25519"')
    signature = base64.b64decode("wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==")
    fields = {"host": ["example.com"], "date": ["Tue, 20 Apr 2021 02:07:55 GMT"],
              "content-type": ["application/json"], "content-length": ["18"]}
    covered, params = parse_dictionary(signature_input)["sig-b26"]
    base = _signature_base(_Request("POST", "https", "/foo?param=Value&Pet=dog", fields), covered, params)
    assert base.decode().endswith('"@signature-params": ' + signature_input.split("=", 1)[1])
    assert verify_bytes(load_public_key(public), "ed25519", signature, base)
