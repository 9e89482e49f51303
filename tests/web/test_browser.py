"""The web interface in a real browser, as a newcomer uses it: sign up, make an image, post it,
find it in the gallery, on her profile and on its page, like it, remix it, and follow someone
on a second node by handle. Forms are filled and sent from the keyboard; every page is checked
for images without alt text and for console errors; screenshots of the main pages are saved
(tests/web/browser.py says where)."""

import asyncio
import re

import pytest
from sqlalchemy import func, select

from node import actions
from storage.models import Follow
from tests.outbox.outbox_support import stored_media
from tests.web.browser import CHROMIUM, Browsing, require_chromium

pytestmark = pytest.mark.timeout(240)


async def tab_to(page, tag: str, text: str, limit: int = 10) -> None:
    """Press Tab until the element of that tag and text has the focus, as a keyboard user does."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await page.evaluate("() => [document.activeElement.tagName, document.activeElement.textContent.trim()]")
        if focused == [tag.upper(), text]:
            return
    raise AssertionError(f"{tag} {text!r} cannot be reached with Tab")


async def wait_for_job(nodes, browsing: Browsing) -> None:
    """Drive the workers until the job page's script has reloaded it with the finished image."""
    for _ in range(100):
        await nodes.settle()
        if await browsing.page.locator("textarea[name=alt]").count():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the generation did not finish: " + await browsing.page.inner_text("main"))


async def generate_and_post(nodes, browsing: Browsing, prompt: str, alt: str) -> str:
    page = browsing.page
    await page.locator("textarea[name=prompt]").fill(prompt)
    await page.get_by_role("button", name="Generate").click()
    await page.wait_for_url(re.compile(r"/create/jobs/\d+$"))
    assert await page.locator("#job-progress").count() == 1
    await wait_for_job(nodes, browsing)
    await browsing.check_images()
    await page.locator("textarea[name=alt]").fill(alt)
    await page.get_by_role("button", name="Post").click()
    await page.wait_for_url(re.compile(r"/@ann/\d+$"))
    await browsing.check_images()
    return page.url


async def test_a_newcomer_signs_up_makes_posts_likes_remixes_and_follows(nodes):
    require_chromium()
    from playwright.async_api import async_playwright

    alpha = await nodes.start("alpha")
    beta = await nodes.start("beta")
    bea = await beta.create_user("bea")
    async with beta.session() as session:
        media = await stored_media(session, beta.settings, bea, description="a blue square")
        await actions.create_post(session, beta.settings, bea, text="hello from beta", media_ids=[media.id])
        await session.commit()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = await (await browser.new_context(viewport={"width": 1100, "height": 900})).new_page()
            browsing = Browsing(page)
            base = alpha.base_url

            # Sign up, from the keyboard alone.
            await browsing.visit(base + "/")
            await browsing.screenshot("gallery-empty")
            await page.get_by_role("link", name="Sign up").click()
            await page.locator("input[name=username]").focus()
            await page.keyboard.type("ann")
            await page.keyboard.press("Tab")
            await page.keyboard.type("ann@example.org")
            await page.keyboard.press("Tab")
            await page.keyboard.type("a long password")
            await page.keyboard.press("Tab")
            await page.keyboard.press("Space")
            await tab_to(page, "button", "Sign up")
            await page.keyboard.press("Enter")
            await page.wait_for_url(base + "/create")
            await browsing.screenshot("create")

            # Make an image and post it.
            post_url = await generate_and_post(nodes, browsing, "a lighthouse in the fog", "a lighthouse, grey on grey")
            await browsing.screenshot("post")
            post_path = post_url.removeprefix(base)
            assert await page.locator("img[alt='a lighthouse, grey on grey']").count() == 1
            assert "a lighthouse in the fog" in await page.inner_text("main")

            # It is in the gallery and on her profile, and both link to its page.
            for path, shot in (("/", "gallery"), ("/@ann", "profile")):
                await browsing.visit(base + path)
                await browsing.screenshot(shot)
                assert await page.locator(f"a[href='{post_path}'] img").count() == 1
            await page.locator(f"a[href='{post_path}']").first.click()
            await page.wait_for_url(post_url)

            # Like it, with the keyboard.
            await page.get_by_role("button", name="Like").focus()
            async with page.expect_navigation():  # the form's answer sends the browser back to the post
                await page.keyboard.press("Enter")
            assert "1 like 0 boosts" in " ".join((await page.inner_text(".counts")).split())
            assert await page.get_by_role("button", name="Unlike").count() == 1

            # Remix it.
            await page.get_by_role("link", name="Remix").click()
            await page.wait_for_url(re.compile(r"/create\?remix_of=\d+$"))
            await browsing.check_images()
            remix_url = await generate_and_post(nodes, browsing, "the lighthouse at night", "a lighthouse beam at night")
            assert "Remix of" in await page.inner_text(".lineage")
            assert await page.locator(f".lineage a[href='{post_path}']").count() >= 1
            await browsing.visit(post_url)
            assert await page.locator(f".lineage a[href='{remix_url.removeprefix(base)}']").count() >= 1

            # Follow Bea on the other node by her handle.
            await browsing.visit(base + "/home")
            await page.locator("input[name=handle]").fill(f"@bea@{beta.domain}")
            await page.locator("input[name=handle]").press("Enter")
            await page.wait_for_url(re.compile(rf"/@bea@{re.escape(beta.domain)}$"))
            await nodes.settle()
            async with beta.session() as session:
                assert (await session.execute(select(func.count()).select_from(Follow))).scalar_one() == 1
            await browsing.visit(page.url)
            assert await page.get_by_role("button", name="Unfollow").count() == 1
            # What Bea posts now reaches Ann's home feed and Bea's profile on Ann's node.
            async with beta.session() as session:
                media = await stored_media(session, beta.settings, bea, description="a green square", color=(20, 160, 60))
                await actions.create_post(session, beta.settings, bea, text="new on beta", media_ids=[media.id])
                await session.commit()
            await nodes.settle()
            await browsing.visit(page.url)
            assert await page.locator("img[alt='a green square']").count() == 1
            await browsing.screenshot("remote-profile")
            await page.locator("img[alt='a green square']").click()
            await page.wait_for_url(re.compile(rf"/@bea@{re.escape(beta.domain)}/\d+$"))
            assert "new on beta" in await page.inner_text("main")
            await browsing.screenshot("remote-post")
            await browsing.visit(base + "/home")
            assert "new on beta" in await page.inner_text(".feed")

            for path, shot in (("/explore", "explore"), ("/about", "about"), ("/notifications", "notifications"),
                               ("/home", "home")):
                await browsing.visit(base + path)
                await browsing.screenshot(shot)
            # On a phone nothing is wider than the screen.
            await page.set_viewport_size({"width": 390, "height": 844})
            for path, shot in (("/", "gallery-phone"), (post_path, "post-phone"), ("/create", "create-phone")):
                await browsing.visit(base + path)
                overflow = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{path} is {overflow}px wider than a phone"
                await browsing.screenshot(shot)
            await browsing.visit(base + "/no/such/page")
            assert "Not found" in await page.inner_text("h1")
            browsing.problems = [p for p in browsing.problems if "404" not in p]  # the 404 page itself
            assert browsing.problems == []
        finally:
            await browser.close()
