"""The generation policy: what a prompt must pass before it reaches a generator. A node's
list of refused words (whole words, any case), and optionally an OpenAI-compatible
moderation endpoint (`/v1/moderations`, through the `openai` package). A refusal is a
PromptRefused whose reason says which word or which categories.
"""

import re

import openai

from .errors import BackendUnavailable, PromptRefused

DEFAULT_MODERATION_MODEL = "omni-moderation-latest"


def refused_words(text: str) -> tuple[str, ...]:
    """The setting's comma- or newline-separated words and phrases, lowercased, blanks left out."""
    return tuple(dict.fromkeys(word.strip().lower() for word in re.split(r"[,\n]", text or "") if word.strip()))


def check_words(prompt: str, words: tuple[str, ...]) -> None:
    """PromptRefused when the prompt holds one of the words as a whole word or phrase."""
    lowered = prompt.lower()
    for word in words:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered):
            raise PromptRefused(f"the prompt uses a word this server refuses: {word!r}")


async def check_moderation(prompt: str, *, api_key: str | None, base_url: str | None,
                           model: str = DEFAULT_MODERATION_MODEL, timeout: float = 20.0) -> None:
    """Ask the moderation endpoint; PromptRefused naming the flagged categories, or
    BackendUnavailable when it cannot answer (the prompt is then refused for now, not let
    through unchecked)."""
    client = openai.AsyncOpenAI(api_key=api_key or "unset", base_url=base_url, timeout=timeout, max_retries=1)
    try:
        answer = await client.moderations.create(model=model, input=prompt)
    except openai.APIError as exc:
        raise BackendUnavailable(f"the moderation service did not answer: {exc}") from exc
    finally:
        await client.close()
    flagged = [result for result in answer.results if result.flagged]
    if flagged:
        categories = sorted({name for result in flagged
                             for name, hit in result.categories.model_dump(by_alias=True).items() if hit})
        raise PromptRefused(f"the moderation service flagged the prompt: {', '.join(categories) or 'flagged'}")
