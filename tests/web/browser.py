"""A real browser for the web tests: Playwright driving Debian's Chromium (`make test` installs
it with apt; Playwright's own browser downloads are not used). A Browsing records every console
error and uncaught exception of its pages, checks that each page's images have alt text, and
saves screenshots under SCREENSHOTS."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("MURALIST_CHROMIUM", "/usr/bin/chromium")
# Named in the README; /build/ is ignored by git.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def require_chromium() -> None:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and shutil.which("chromium") is None:
        pytest.skip(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium package")


class Browsing:
    def __init__(self, page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", lambda message: self.problems.append(f"console {message.type}: {message.text}")
                if message.type == "error" else None)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    async def visit(self, url: str):
        response = await self.page.goto(url)
        await self.check_images()
        return response

    async def check_images(self) -> None:
        missing = await self.page.eval_on_selector_all(
            "img", "images => images.filter(img => !img.hasAttribute('alt')).map(img => img.outerHTML)")
        assert missing == [], f"images without alt on {self.page.url}: {missing}"

    async def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
