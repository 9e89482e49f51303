"""Rails-style field names folded into nested values, and the nesting limit every body keeps.

`a[]=x&a[]=y` is the list ["x", "y"], `home[last_read_id]=5` the dict {"last_read_id": "5"},
and `fields_attributes[][name]=n&fields_attributes[][value]=v` a list of dicts, as Rack's
nested query parser reads them. A name nested deeper than MAX_DEPTH, or a JSON body nested
deeper, is a 400: both would otherwise cost recursion a client controls.
"""

import re

from ..errors import ValidationError

MAX_DEPTH = 32
_KEY_PART = re.compile(r"\[([^\[\]]*)\]")


def parse_pairs(pairs) -> dict:
    """Fold (name, value) pairs into Rails-shaped params: `a[]` lists, `a[b]` dicts, `a[][b]` lists of dicts."""
    params: dict = {}
    for name, value in pairs:
        first, _, rest = name.partition("[")
        if not first:
            continue
        keys = [first] + (_KEY_PART.findall("[" + rest) if rest else [])
        if len(keys) > MAX_DEPTH:
            raise ValidationError(f"the field name {first}[…] nests deeper than {MAX_DEPTH} levels", status=400)
        _assign(params, keys, value)
    return params


def _assign(container: dict, keys: list[str], value) -> None:
    """Put `value` under the path `keys`, creating dicts and lists on the way (a loop, not recursion)."""
    index = 0
    while index < len(keys) - 1:
        key, following = keys[index], keys[index + 1]
        if following == "":
            container = _list_step(container, key, keys[index + 2:], value)
            if container is None:
                return
            index += 2
            continue
        child = container.get(key)
        if not isinstance(child, dict):
            child = container[key] = {}
        container, index = child, index + 1
    container[keys[index]] = value


def _list_step(container: dict, key: str, rest: list[str], value) -> dict | None:
    """`key[]`: append `value` (no keys follow) or step into the list's current dict (None: done)."""
    items = container.get(key)
    if not isinstance(items, list):
        items = container[key] = []
    if not rest:
        items.append(value)
        return None
    # `a[][name]=..&a[][value]=..`: start a new dict when the current one already has the key.
    if not items or not isinstance(items[-1], dict) or rest[0] in items[-1]:
        items.append({})
    return items[-1]


def json_depth_problem(value) -> str | None:
    """Why a parsed JSON value nests too deep, or None; counted with a stack, never recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"the JSON body nests deeper than {MAX_DEPTH} levels"
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return None
