"""The fuzz suite reaches every route the node serves: each falls in one fuzz module's group,
and each handler is found in its own module of node/, where the fuzzer reads field names."""

from tests.fuzz.routes import all_routes, group_of, routes_of

GROUPS = ("api", "oauth", "discovery", "inbox")


def test_every_route_is_in_one_fuzzed_group():
    routes = all_routes()
    assert len(routes) > 100
    assert sorted(map(str, routes)) == sorted(str(route) for group in GROUPS for route in routes_of(group))
    assert {group_of(route) for route in routes} == set(GROUPS)


def test_handlers_are_found_in_their_modules():
    # A handler wrapped by a decorator from elsewhere would report the decorator's module, and
    # its route would be fuzzed with that module's field names instead of its own.
    astray = [f"{route} ({route.module})" for route in all_routes()
              if not route.static and not route.module.startswith("node.")]
    assert not astray
