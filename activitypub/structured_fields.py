"""Structured Field Values (RFC 8941), only as far as HTTP signatures need them.

RFC 9421 carries `Signature-Input` and `Signature` as Dictionaries whose
members are Inner Lists of component names or Byte Sequences, each with
parameters. This module parses those forms and serialises them back in the
canonical form, because the `@signature-params` line of the signature base is
the canonical serialisation (RFC 9421 section 2.3), not the bytes as received.

Representation: an Item is `(bare_value, params)`, an Inner List is
`(list_of_items, params)`; params and dictionaries are plain dicts in wire
order. Tokens are `Token` (a `str` subclass) so they serialise unquoted.
"""

import base64
import binascii
import re


class StructuredFieldError(ValueError):
    """A field value is not valid RFC 8941 syntax."""


class Token(str):
    """An RFC 8941 Token, kept apart from String so it serialises bare."""


_KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*")
_TOKEN = re.compile(r"[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*")
_NUMBER = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,3})?")
_BYTES = re.compile(r":([A-Za-z0-9+/=]*):")


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def fail(self, what: str):
        raise StructuredFieldError(f"{what} at offset {self.pos}")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def skip(self, chars: str) -> None:
        while not self.at_end() and self.text[self.pos] in chars:
            self.pos += 1

    def match(self, pattern: re.Pattern, what: str) -> re.Match:
        found = pattern.match(self.text, self.pos)
        if not found:
            self.fail(f"expected {what}")
        self.pos = found.end()
        return found

    def dictionary(self) -> dict:
        members: dict = {}
        self.skip(" ")
        while not self.at_end():
            key = self.match(_KEY, "key").group()
            if self.peek() == "=":
                self.pos += 1
                members[key] = self.member()
            else:
                members[key] = (True, self.params())
            self.skip(" \t")
            if self.at_end():
                break
            if self.peek() != ",":
                self.fail("expected ','")
            self.pos += 1
            self.skip(" \t")
            if self.at_end():
                self.fail("trailing ','")
        return members

    def member(self) -> tuple:
        if self.peek() == "(":
            return self.inner_list()
        return self.item()

    def inner_list(self) -> tuple:
        self.pos += 1
        items = []
        while not self.at_end():
            self.skip(" ")
            if self.peek() == ")":
                self.pos += 1
                return items, self.params()
            items.append(self.item())
            if self.peek() not in (" ", ")"):
                self.fail("expected ' ' or ')'")
        self.fail("unterminated inner list")

    def item(self) -> tuple:
        return self.bare_item(), self.params()

    def params(self) -> dict:
        params: dict = {}
        while self.peek() == ";":
            self.pos += 1
            self.skip(" ")
            key = self.match(_KEY, "parameter key").group()
            value = True
            if self.peek() == "=":
                self.pos += 1
                value = self.bare_item()
            params[key] = value
        return params

    def bare_item(self):
        char = self.peek()
        if char == "-" or char.isdigit():
            return self.number()
        if char == '"':
            return self.string()
        if char == ":":
            return self.byte_sequence()
        if char == "?":
            return self.boolean()
        if char and (char.isascii() and char.isalpha() or char == "*"):
            return Token(self.match(_TOKEN, "token").group())
        self.fail("expected an item")

    def number(self):
        found = self.match(_NUMBER, "number")
        return float(found.group()) if found.group(1) else int(found.group())

    def string(self) -> str:
        out = []
        self.pos += 1
        while not self.at_end():
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\":
                escaped = self.peek()
                if escaped not in ('"', "\\"):
                    self.fail("bad escape in string")
                out.append(escaped)
                self.pos += 1
            elif char == '"':
                return "".join(out)
            elif not (" " <= char <= "~"):
                self.fail("bad character in string")
            else:
                out.append(char)
        self.fail("unterminated string")

    def byte_sequence(self) -> bytes:
        found = self.match(_BYTES, "byte sequence")
        try:
            return base64.b64decode(found.group(1), validate=True)
        except (binascii.Error, ValueError):
            self.fail("bad base64 in byte sequence")

    def boolean(self) -> bool:
        self.pos += 1
        char = self.peek()
        if char not in ("0", "1"):
            self.fail("bad boolean")
        self.pos += 1
        return char == "1"


def parse_dictionary(text: str) -> dict:
    """Parse a Dictionary field value; raises StructuredFieldError."""
    return _Parser(text).dictionary()


def serialize_bare_item(value) -> str:
    if isinstance(value, bool):
        return "?1" if value else "?0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") + ("" if value % 1 else ".0")
    if isinstance(value, bytes):
        return ":" + base64.b64encode(value).decode("ascii") + ":"
    if isinstance(value, Token):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise StructuredFieldError(f"cannot serialise {type(value).__name__}")


def serialize_params(params: dict) -> str:
    # A parameter whose value is true is written as the bare key (RFC 8941 4.1.1.2).
    return "".join(f";{key}" if value is True else f";{key}={serialize_bare_item(value)}"
                   for key, value in params.items())


def serialize_item(value, params: dict) -> str:
    return serialize_bare_item(value) + serialize_params(params)


def serialize_inner_list(items: list, params: dict) -> str:
    inner = " ".join(serialize_item(value, item_params) for value, item_params in items)
    return f"({inner}){serialize_params(params)}"
