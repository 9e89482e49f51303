"""The typed parameter reader on its own: the one boolean rule, ids below 2**63, errors that
name the field (nested ones as the client wrote them), and the nesting limits of field names
and JSON bodies."""

import json

import pytest

from node.api.body import parse_pairs
from node.api.form_names import MAX_DEPTH, json_depth_problem
from node.api.params import MAX_ID, Params, parse_boolean
from node.errors import ValidationError
from storage.errors import NotFound

TRUE_SPELLINGS = [True, 1, "true", "TRUE", "True", "t", "T", "1", "on", "ON", "yes", " true "]
FALSE_SPELLINGS = [False, 0, "false", "FALSE", "False", "f", "F", "0", "off", "OFF", "no"]


@pytest.mark.parametrize("value", TRUE_SPELLINGS)
def test_true_spellings(value):
    assert parse_boolean(value) is True
    assert Params({"flag": value}).boolean("flag") is True


@pytest.mark.parametrize("value", FALSE_SPELLINGS)
def test_false_spellings(value):
    assert parse_boolean(value) is False
    assert Params({"flag": value}).boolean("flag", True) is False


@pytest.mark.parametrize("value", ["", "   ", None])
def test_blank_or_null_boolean_is_the_default(value):
    assert Params({"flag": value}).boolean("flag") is None
    assert Params({"flag": value}).boolean("flag", True) is True
    assert Params({}).boolean("flag", False) is False


@pytest.mark.parametrize("value", ["maybe", "2", 2, -1, 0.0, 1.5, [], ["true"], {}, {"a": 1}])
def test_other_booleans_are_refused_naming_the_field(value):
    with pytest.raises(ValidationError) as error:
        Params({"sensitive": value}).boolean("sensitive")
    assert error.value.status == 422 and str(error.value).startswith("sensitive must be true or false")


@pytest.mark.parametrize("value, kind", [(1024, "a number"), (["a"], "a list"), ({"a": 1}, "an object"),
                                         (True, "a boolean"), (1.5, "a number")])
def test_text_of_the_wrong_type_is_refused(value, kind):
    with pytest.raises(ValidationError) as error:
        Params({"size": value}).string("size")
    assert str(error.value) == f"size must be text, not {kind}"


def test_text_length_and_defaults():
    params = Params({"name": "abc", "blank": ""})
    assert params.string("name", max_length=3) == "abc" and params.string("blank") == ""
    assert params.string("missing", "fallback") == "fallback"
    with pytest.raises(ValidationError, match="name is too long"):
        params.string("name", max_length=2)


@pytest.mark.parametrize("value", ["a\x00b", "a\ud800b", ["ok", "\udfff"]])
def test_text_no_database_can_store_is_refused(value):
    params = Params({"note": value})
    with pytest.raises(ValidationError, match="^note must be valid text"):
        params.string_list("note") if isinstance(value, list) else params.string("note")


def test_integers():
    params = Params({"a": "42", "b": 7, "c": " -3 ", "d": "", "e": "4.5", "f": True, "g": "99"})
    assert (params.integer("a"), params.integer("b"), params.integer("c")) == (42, 7, -3)
    assert params.integer("d", 5) == 5 and params.integer("missing", 6) == 6
    for name in ("e", "f"):
        with pytest.raises(ValidationError, match=f"^{name} must be a whole number"):
            params.integer(name)
    with pytest.raises(ValidationError, match="g must be a whole number from 0 up to 10"):
        params.integer("g", minimum=0, maximum=10)


def test_ids_are_64_bit():
    params = Params({"a": "123", "b": 456, "c": str(MAX_ID), "d": str(MAX_ID + 1), "e": "99999999999999999999",
                     "f": "abc", "g": "-1", "h": [1], "i": "", "j": True})
    assert (params.id("a"), params.id("b"), params.id("c")) == (123, 456, MAX_ID)
    assert params.id("i") is None and params.id("missing") is None
    for name in ("d", "e", "f", "g", "h", "j"):
        with pytest.raises(ValidationError, match=f"^{name} must be an id"):
            params.id(name)


def test_an_id_that_names_a_thing_is_not_found():
    params = Params({"remix_of": "99999999999999999999", "other": ["1"]})
    with pytest.raises(NotFound, match="post 99999999999999999999 not found"):
        params.id("remix_of", not_found="post")
    with pytest.raises(ValidationError, match="^other must be an id"):
        params.id("other", not_found="post")  # a list is the wrong type, not an unknown id


def test_lists():
    params = Params({"ids": ["1", 2, ""], "one": "5", "names": ["a", "b"], "bad": ["1", "x"], "obj": {"a": "1"},
                     "mixed": ["a", 1]})
    assert params.id_list("ids") == [1, 2] and params.id_list("one") == [5]
    assert params.string_list("names") == ["a", "b"] and params.string_list("one") == ["5"]
    assert params.id_list("missing") is None and params.string_list("missing") is None
    with pytest.raises(ValidationError, match="^bad must be a list of ids.*'x'"):
        params.id_list("bad")
    with pytest.raises(ValidationError, match="^obj must be a list, not an object"):
        params.string_list("obj")
    with pytest.raises(ValidationError, match="^mixed must be a list of text"):
        params.string_list("mixed")
    with pytest.raises(ValidationError, match="^ids has more than 2 items"):
        params.id_list("ids", max_items=2)


def test_nested_fields_are_named_as_the_client_wrote_them():
    params = Params(parse_pairs([("home[last_read_id]", "abc"), ("fields_attributes[0][name]", "n"),
                                 ("fields_attributes[1][name]", "m"), ("fields_attributes[1][value]", "5")]))
    with pytest.raises(ValidationError, match=r"^home\[last_read_id\] must be an id"):
        params.mapping("home").id("last_read_id")
    items = params.mapping_list("fields_attributes")
    assert [(item.string("name"), item.string("value")) for item in items] == [("n", None), ("m", "5")]
    as_json = Params({"fields_attributes": [{"name": "n", "value": 5}]})
    with pytest.raises(ValidationError, match=r"^fields_attributes\[0\]\[value\] must be text"):
        as_json.mapping_list("fields_attributes")[0].string("value")
    for wrong in ("text", ["text"], {"a": {}}):
        with pytest.raises(ValidationError, match="^fields_attributes must be a list of objects"):
            Params({"fields_attributes": wrong}).mapping_list("fields_attributes")


def test_query_params_answer_400():
    with pytest.raises(ValidationError) as error:
        Params({"limit": "ten"}, status=400).integer("limit")
    assert error.value.status == 400


def test_field_names_nest_at_most_the_limit():
    assert parse_pairs([("a" + "[b]" * (MAX_DEPTH - 1), "1")])
    for name in ("a" + "[b]" * MAX_DEPTH, "a" + "[]" * 5000, "a" + "[b]" * 10_000):
        with pytest.raises(ValidationError) as error:
            parse_pairs([(name, "1")])
        assert error.value.status == 400 and "nests deeper" in str(error.value)


def test_json_depth_is_counted_without_recursion():
    assert json_depth_problem({"a": [{"b": 1}]}) is None
    nested = {"a": 1}
    for _ in range(MAX_DEPTH):
        nested = {"a": nested}
    assert "nests deeper" in json_depth_problem(nested)
    assert json_depth_problem(json.loads("[" * 500 + "]" * 500))
