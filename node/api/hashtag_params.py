"""The extra tags of a hashtag timeline (https://docs.joinmastodon.org/methods/timelines/#tag):
`any[]` (posts with the path's tag or any of these), `all[]` (and every one of these) and
`none[]` (and none of these), each a list of tag names."""

from dataclasses import dataclass

from storage.repositories import tags as tag_repo

from .body import Params

MAX_TAGS = 4  # Mastodon's TagFeed::LIMIT_PER_MODE


@dataclass(frozen=True)
class HashtagConditions:
    any: list[str]
    all: list[str]
    none: list[str]

    def conditions(self, tag: str) -> list:
        return tag_repo.tag_conditions([tag, *self.any] if self.any else [], self.all, self.none)


def hashtag_conditions(params: Params) -> HashtagConditions:
    def names(field: str) -> list[str]:
        items = params.string_list(field, max_items=MAX_TAGS) or []
        return [item.strip().lstrip("#").lower() for item in items if item.strip().lstrip("#")]

    return HashtagConditions(names("any"), names("all"), names("none"))
