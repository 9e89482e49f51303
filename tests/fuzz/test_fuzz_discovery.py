"""WebFinger, host-meta, NodeInfo, actors, collections, objects, status pages, media files,
static files and the catch-all for unknown paths, under random path values, query strings and
Accept headers (and any method on unknown paths): no 5xx, nothing logged at ERROR, and the
node serves afterwards."""

import pytest
from hypothesis import given

from tests.fuzz.check import check
from tests.fuzz.conftest import EXAMPLES, fuzz_settings
from tests.fuzz.live import png_bytes
from tests.fuzz.routes import routes_of
from tests.fuzz.calls import calls
from tests.fuzz.templates import templates_for

ROUTES = routes_of("discovery")
PNG = png_bytes()
ANY_METHOD = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND")


def discovery_words(node) -> tuple[str, ...]:
    host = node.settings.domain
    peer_host = node.peer.base.split("//", 1)[1]
    return (
        f"acct:alice@{host}", f"alice@{host}", f"@alice@{host}", f"acct:alice@{host}:1", f"acct:nobody@{host}",
        f"acct:{node.settings.host}@{host}", f"{node.base_url}/users/alice", f"{node.base_url}/", node.base_url,
        f"{node.base_url}/actor", f"acct:fuzzer@{peer_host}", f"acct:alice@elsewhere.invalid", "acct:", "acct:@",
        "acct:alice", "mailto:alice@example.org", "self", "http://webfinger.net/rel/profile-page", "true", "1",
    )


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_fuzz_discovery_route(fuzz_node, route):
    methods = ANY_METHOD if route.method == "*" else None

    @fuzz_settings(EXAMPLES, str(route))
    @given(call=calls(route, fuzz_node.seeds, fuzz_node.tokens["alice"], PNG,
                      templates=templates_for(fuzz_node.templates, route), methods=methods, user_weight=1,
                      extra_words=discovery_words(fuzz_node)))
    def requests_to_the_route(call):
        check(fuzz_node, call, str(route))

    requests_to_the_route()
    fuzz_node.assert_serving()
