"""Reading the parameters of status writes (post and edit) the way Mastodon's Rails params read
them: booleans as `true`/`1`/`on`, `media_ids[]` as a list (or one value), text fields as strings.
A value of the wrong shape is a 422, never a crash or a silent default."""

from ..errors import ValidationError

TRUE_VALUES = (True, "true", "True", "1", "on", "yes", 1)
FALSE_VALUES = (False, "false", "False", "0", "off", "no", "", 0)


def text_param(params: dict, name: str) -> str | None:
    value = params.get(name)
    if value is None or isinstance(value, str):
        return value
    raise ValidationError(f"{name} must be a string")


def flag_param(params: dict, name: str) -> bool | None:
    value = params.get(name)
    if value is None:
        return None
    if value in TRUE_VALUES and not isinstance(value, float):
        return True
    if value in FALSE_VALUES and not isinstance(value, float):
        return False
    raise ValidationError(f"{name} must be true or false")


def id_param(params: dict, name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value
    raise ValidationError(f"{name} must be an id")


def ids_param(params: dict, name: str) -> list[str] | None:
    """`name[]` (form), `name` (JSON list or one value); None when absent."""
    value = params.get(name)
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, (str, int)) and not isinstance(item, bool) for item in items):
        raise ValidationError(f"{name} must be a list of ids")
    return [str(item) for item in items if item != ""]


def media_attributes(params: dict) -> dict[str, str]:
    """`media_attributes[][id]` + `[description]` pairs of an edit, as {media id: description}."""
    value = params.get("media_attributes")
    if value is None:
        return {}
    items = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else None
    if items is None or not all(isinstance(item, dict) and "id" in item for item in items):
        raise ValidationError("media_attributes must be a list of {id, description}")
    descriptions = {}
    for item in items:
        media_id = str(item["id"])
        if not media_id.isdigit():
            raise ValidationError("media_attributes ids must be numbers")
        description = item.get("description")
        if description is not None:
            if not isinstance(description, str):
                raise ValidationError("a media description must be a string")
            descriptions[media_id] = description
    return descriptions
