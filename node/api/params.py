"""Typed access to the parameters of a client API request, with one rule per type.

A handler asks for what it needs (`params.string("status")`, `params.boolean("sensitive")`,
`params.id_list("media_ids")`) and gets a Python value or None when the field is absent; a
value of the wrong JSON type or shape is a ValidationError naming the field (422 for a body,
400 for a query string), never a crash deeper down. JSON `null` counts as absent.

Booleans follow one rule everywhere, Rails' ActiveModel::Type::Boolean made strict: JSON
true/false, the numbers 1/0, and the words in TRUE_WORDS / FALSE_WORDS in any case; a blank
string is absent, as in Rails. Rails reads every other word as true, so `"no"` or `"maybe"`
would turn a setting on; here `"no"` is false and any other word is refused, since no
client sends one on purpose.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from storage.errors import NotFound

from ..actions.common import MAX_KEY as MAX_ID  # noqa: F401 - the one limit of ids, named for the API
from ..actions.common import parse_key
from ..errors import ValidationError

TRUE_WORDS = frozenset(("true", "t", "1", "on", "yes"))
FALSE_WORDS = frozenset(("false", "f", "0", "off", "no"))
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
_TYPE_NAMES = {bool: "a boolean", int: "a number", float: "a number", str: "text", list: "a list", dict: "an object"}


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart field; its declared type and name are hints, never trusted."""

    data: bytes
    filename: str | None = None
    content_type: str | None = None


def type_name(value) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def parse_id(value) -> int | None:
    """A snowflake id from text of digits or a JSON integer; None for anything else or out of
    range (the actions' one rule, node.actions.common.parse_key)."""
    return parse_key(value)


def parse_boolean(value) -> bool | None:
    """The one boolean rule; None for a value it does not know (blank text is handled by the caller)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return {0: False, 1: True}.get(value)
    if isinstance(value, str):
        word = value.strip().lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None
    return None


def path_id(request: web.Request, name: str = "id", what: str | None = None) -> int:
    """An id from the URL path; one that cannot name a row (too long, too large) is a 404."""
    raw = request.match_info.get(name, "")
    value = parse_id(raw)
    if value is None:
        raise NotFound(f"{what} {raw} not found" if what else "Record not found")
    return value


class Params:
    """A request's parameters (a dict of JSON-like values and the uploaded files) read by type."""

    def __init__(self, values: Mapping, *, files: Mapping[str, Upload] | None = None, status: int = 422,
                 prefix: str = "", repeated=None) -> None:
        self._values = dict(values)
        self._files = dict(files or {})
        self.status = status
        self._prefix = prefix
        # A query string's MultiDict: `id=1&id=2` is a list there, as clients mean it.
        self._repeated = repeated

    def label(self, name: str) -> str:
        """The field's name as the client wrote it (`home[last_read_id]`), for error messages."""
        return f"{self._prefix}[{name}]" if self._prefix else name

    def error(self, name: str, problem: str) -> ValidationError:
        return ValidationError(f"{self.label(name)} {problem}", status=self.status)

    def sent(self, name: str) -> bool:
        """Whether the field was sent at all, blank or null included (`expires_in=` clears an expiry)."""
        return name in self._values

    def given(self, name: str) -> bool:
        """Whether the field carries something: not absent, null, blank, or an empty list or object."""
        return self._values.get(name) not in (None, "", [], {})

    def string(self, name: str, default: str | None = None, *, max_length: int | None = None) -> str | None:
        value = self._values.get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.error(name, f"must be text, not {type_name(value)}")
        self._check_text(name, value)
        if max_length is not None and len(value) > max_length:
            raise self.error(name, f"is too long (at most {max_length} characters)")
        return value

    def boolean(self, name: str, default: bool | None = None) -> bool | None:
        value = self._values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return default
        flag = parse_boolean(value)
        if flag is None:
            raise self.error(name, f"must be true or false, not {_shown(value)}")
        return flag

    def integer(self, name: str, default: int | None = None, *, minimum: int | None = None,
                maximum: int | None = None) -> int | None:
        value = self._values.get(name)
        if value is None or value == "":
            return default
        number = _whole_number(value)
        if number is None:
            raise self.error(name, f"must be a whole number, not {_shown(value)}")
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            low = "" if minimum is None else f" from {minimum}"
            high = "" if maximum is None else f" up to {maximum}"
            raise self.error(name, f"must be a whole number{low}{high}")
        return number

    def id(self, name: str, *, not_found: str | None = None) -> int | None:
        """A snowflake id (text of digits or a JSON integer below 2**63); None when absent or blank.

        With `not_found` (what the id names: "post"), text that cannot be an id is a 404 for
        that thing, as a lookup of it would answer; a value of the wrong type is still a 422.
        """
        value = self._values.get(name)
        if value is None or value == "":
            return None
        number = parse_id(value)
        if number is not None:
            return number
        if not_found is not None and isinstance(value, (str, int)) and not isinstance(value, bool):
            raise NotFound(f"{not_found} {value} not found")
        raise self.error(name, f"must be an id (a whole number below 2**63), not {_shown(value)}")

    def string_list(self, name: str, *, max_items: int | None = None) -> list[str] | None:
        """`name[]=a&name[]=b`, a JSON list or one string, as a list; None when absent."""
        items = self._list(name, max_items)
        if items is not None and not all(isinstance(item, str) for item in items):
            wrong = next(item for item in items if not isinstance(item, str))
            raise self.error(name, f"must be a list of text, not of {type_name(wrong)}")
        for item in items or []:
            self._check_text(name, item)
        return items

    def id_list(self, name: str, *, max_items: int | None = None) -> list[int] | None:
        """A list of ids (see `id`); blank items are left out, as Rails forms send `name[]=`."""
        items = self._list(name, max_items)
        if items is None:
            return None
        ids = []
        for item in items:
            if item == "":
                continue
            number = parse_id(item)
            if number is None:
                raise self.error(name, f"must be a list of ids (whole numbers below 2**63), not {_shown(item)}")
            ids.append(number)
        return ids

    def mapping(self, name: str) -> "Params | None":
        """A nested object (`home[last_read_id]=1` or JSON `{"home": {...}}`) as Params of its own."""
        value = self._values.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.error(name, f"must be an object, not {type_name(value)}")
        return self._child(self.label(name), value)

    def mapping_list(self, name: str) -> "list[Params] | None":
        """A list of objects: a JSON list, `name[][key]=…` fields, or an object keyed by position
        (`name[0][key]=…`, Rails' `fields_attributes` shape), in the order of the positions."""
        value = self._values.get(name)
        if value is None:
            return None
        if isinstance(value, dict):
            if not all(isinstance(key, str) and key.isascii() and key.isdigit() for key in value):
                raise self.error(name, "must be a list of objects, or an object keyed by position")
            value = [value[key] for key in sorted(value, key=int)]
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.error(name, "must be a list of objects")
        return [self._child(f"{self.label(name)}[{index}]", item) for index, item in enumerate(value)]

    def file(self, name: str) -> Upload | None:
        """The Upload sent in this multipart field, or None."""
        return self._files.get(name)

    def _list(self, name: str, max_items: int | None) -> list | None:
        value = self._values.get(name)
        if value is None:
            return None
        if not isinstance(value, list):
            if isinstance(value, dict):
                raise self.error(name, "must be a list, not an object")
            repeated = self._repeated.getall(name, []) if self._repeated is not None else []
            value = list(repeated) if len(repeated) > 1 and value == repeated[-1] else [value]
        if max_items is not None and len(value) > max_items:
            raise self.error(name, f"has more than {max_items} items")
        return value

    def _check_text(self, name: str, value: str) -> None:
        # JSON can carry a lone surrogate ("\ud800"), which no database can encode, and NUL,
        # which PostgreSQL refuses in text; either would fail as a server error when stored.
        if _UNSTORABLE.search(value):
            raise self.error(name, "must be valid text (no NUL characters or unpaired surrogates)")

    def _child(self, label: str, values: dict) -> "Params":
        return Params(values, status=self.status, prefix=label)


def _whole_number(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in ("-", "+") else text
        if digits.isascii() and digits.isdigit() and len(digits) <= 30:
            return int(text)
    return None


def _shown(value) -> str:
    """A short picture of a refused value for an error message."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:40] + "…")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return type_name(value)
