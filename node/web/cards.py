"""Posts as the web pages show them: each with its author, its images (source, preview, alt
text, size, placeholder colour) and the links to its page and its author's page on this node.
A page of posts is loaded in three queries whatever its length."""

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, MediaAttachment, Post
from storage.repositories import posts as post_repo
from storage.repositories import statuses as status_repo

from ..urls import Urls
from .filters import blurhash_colour


@dataclass
class Image:
    src: str
    preview: str
    alt: str
    width: int | None
    height: int | None
    colour: str


@dataclass
class Card:
    post: Post
    author: Account
    href: str
    author_href: str
    images: list[Image] = field(default_factory=list)

    @property
    def cover(self) -> Image | None:
        return self.images[0] if self.images else None

    @property
    def prompt(self) -> str:
        record = self.post.generation if isinstance(self.post.generation, dict) else {}
        prompt = record.get("prompt")
        return prompt if isinstance(prompt, str) else ""


def profile_href(account: Account) -> str:
    """The account's page on this node: `/@name` here, `/@name@domain` for a remote account."""
    return f"/@{account.acct}"


def post_href(post: Post, author: Account) -> str:
    return f"{profile_href(author)}/{post.id}"


def image_of(urls: Urls, media: MediaAttachment) -> Image | None:
    src = urls.media(media.file_path) if media.file_path else media.remote_url
    if not src:
        return None
    preview = urls.media(media.preview_path) if media.preview_path else src
    return Image(src=src, preview=preview, alt=media.description or "", width=media.width, height=media.height,
                 colour=blurhash_colour(media.blurhash))


async def cards_for(session: AsyncSession, urls: Urls, posts: list[Post]) -> list[Card]:
    media = await post_repo.list_media(session, [post.id for post in posts])
    authors = await status_repo.get_accounts_by_ids(session, [post.account_id for post in posts])
    cards = []
    for post in posts:
        author = authors.get(post.account_id)
        if author is None:
            continue
        images = [image for item in media.get(post.id, []) if (image := image_of(urls, item)) is not None]
        cards.append(Card(post=post, author=author, href=post_href(post, author), author_href=profile_href(author),
                          images=images))
    return cards
