"""The OAuth endpoints (/oauth/token, /oauth/authorize, /oauth/revoke, the authorization server
metadata) and app registration (/api/v1/apps) under random parameters in the query, JSON, form
and multipart bodies: no 5xx, nothing logged at ERROR, and the node serves afterwards.

Besides the words of each handler's module, values include real client ids and the grant types,
response types and scopes OAuth knows, so requests reach past the first check."""

import pytest
from hypothesis import given

from tests.fuzz.check import check
from tests.fuzz.conftest import EXAMPLES, fuzz_settings
from tests.fuzz.live import png_bytes
from tests.fuzz.routes import routes_of
from tests.fuzz.calls import calls
from tests.fuzz.templates import templates_for

ROUTES = routes_of("oauth")
PNG = png_bytes()
OAUTH_WORDS = (
    "password", "authorization_code", "client_credentials", "refresh_token", "code", "token",
    "read", "write", "follow", "push", "read write follow push", "admin:read", "read:nonsense",
    "urn:ietf:wg:oauth:2.0:oob", "http://127.0.0.1/callback", "S256", "plain", "approve", "deny",
    "alice@example.org", "correct horse battery",
)



def oauth_words(node) -> tuple[str, ...]:
    """The fixed words, the secrets of the seeded apps, and carol's token (hers may be revoked:
    the fuzzing signs in as alice)."""
    return OAUTH_WORDS + tuple(node.seeds.of("client_secret")) + (node.tokens["carol"],)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_fuzz_oauth_route(fuzz_node, route):
    @fuzz_settings(EXAMPLES * 2, str(route))
    @given(call=calls(route, fuzz_node.seeds, fuzz_node.tokens["alice"], PNG,
                      templates=templates_for(fuzz_node.templates, route), extra_words=oauth_words(fuzz_node)))
    def requests_to_the_route(call):
        check(fuzz_node, call, str(route))

    requests_to_the_route()
    fuzz_node.assert_serving()
