"""Every client API route (and any route no other fuzz module claims) under random path values,
query strings, JSON, form and multipart bodies, with and without a valid token of a user who has
every scope: no answer is a 5xx, nothing is logged at ERROR, and the node serves afterwards."""

import pytest
from hypothesis import given

from tests.fuzz.check import check
from tests.fuzz.conftest import EXAMPLES, fuzz_settings
from tests.fuzz.live import png_bytes
from tests.fuzz.routes import routes_of
from tests.fuzz.calls import calls
from tests.fuzz.templates import templates_for

ROUTES = routes_of("api")
PNG = png_bytes()


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_fuzz_client_api_route(fuzz_node, route):
    @fuzz_settings(EXAMPLES, str(route))
    @given(call=calls(route, fuzz_node.seeds, fuzz_node.tokens["alice"], PNG,
                      templates=templates_for(fuzz_node.templates, route)))
    def requests_to_the_route(call):
        check(fuzz_node, call, str(route))

    requests_to_the_route()
    fuzz_node.assert_serving()


def test_the_node_serves_after_its_queues_settle(fuzz_node):
    """What the requests queued (deliveries, generation jobs) is processed without a crash."""
    fuzz_node.settle()
    fuzz_node.assert_serving()
