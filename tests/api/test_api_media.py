"""Media uploads through Mastodon.py: the type is sniffed, EXIF and GPS are stripped, the
entity has a preview and a blurhash, and only the uploader can read or change the image."""

import io

import pytest
from aiohttp import FormData
from mastodon import MastodonAPIError, MastodonNotFoundError
from PIL import Image

from storage.media import read_xmp

GPS_IFD = 0x8825


def photo_with_gps() -> bytes:
    """A camera-like JPEG: a maker tag, a comment and GPS coordinates in its EXIF."""
    image = Image.radial_gradient("L").resize((320, 240)).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "Muralist Test Camera"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (52.0, 31.0, 12.5), 3: "E", 4: (13.0, 24.0, 36.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(GPS_IFD), "the fixture must carry GPS"
    return data


def png_bytes(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, "PNG")
    return out.getvalue()


async def download(http, url: str) -> bytes:
    async with http.get(url) as response:
        assert response.status == 200, url
        return await response.read()


async def test_upload_strips_exif_and_gps(node, http):
    await node.create_user("ada")
    api = await node.password_token("ada")
    media = await node.call(api.media_post, photo_with_gps(), mime_type="image/jpeg",
                            description="  the harbour at noon ", focus=(0.5, -0.25))
    assert media["type"] == "image"
    assert media["url"].startswith(node.base_url + "/media/") and media["url"].endswith(".jpg")
    assert media["preview_url"].endswith(".webp")
    assert media["description"] == "the harbour at noon"
    assert media["blurhash"] and len(media["blurhash"]) >= 6
    assert media["meta"]["focus"] == {"x": 0.5, "y": -0.25}
    assert media["meta"]["original"]["width"] == 320 and media["meta"]["original"]["height"] == 240
    stored = await download(http, media["url"])
    assert b"Muralist Test Camera" not in stored and b"Exif\x00\x00" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
    # An upload is no generated image: it carries no provenance packet.
    assert read_xmp(stored) is None


async def test_the_type_comes_from_the_bytes(node):
    await node.create_user("ada")
    api = await node.password_token("ada")
    # A PNG declared as a JPEG named .jpg is stored as the PNG it is.
    media = await node.call(api.media_post, png_bytes(), mime_type="image/jpeg", file_name="holiday.jpg")
    assert media["url"].endswith(".png")
    with pytest.raises(MastodonAPIError) as info:
        await node.call(api.media_post, b"<html>not an image</html>", mime_type="image/png")
    assert "422" in str(info.value)


async def test_update_and_show_belong_to_the_uploader(node):
    await node.create_user("ada")
    await node.create_user("bob")
    ada, bob = await node.password_token("ada"), await node.password_token("bob")
    media = await node.call(ada.media_post, png_bytes(), mime_type="image/png")
    updated = await node.call(ada.media_update, media["id"], description="a grey ramp", focus=(-1.0, 1.0))
    assert updated["description"] == "a grey ramp"
    assert updated["meta"]["focus"] == {"x": -1.0, "y": 1.0}
    shown = await node.call(ada.media, media["id"])
    assert shown["id"] == media["id"] and shown["description"] == "a grey ramp"
    with pytest.raises(MastodonNotFoundError):
        await node.call(bob.media, media["id"])
    with pytest.raises(MastodonNotFoundError):
        await node.call(ada.media, "99999999999999999999999")
    with pytest.raises(MastodonNotFoundError):
        await node.call(bob.media_update, media["id"], description="mine now")
    with pytest.raises(MastodonAPIError) as info:
        await node.call(ada.media_update, media["id"], focus=(2.0, 0.0))
    assert "422" in str(info.value)


async def test_v1_upload_errors_and_scope(node, http):
    await node.create_user("ada")
    api = await node.password_token("ada")
    auth = {"Authorization": f"Bearer {api.access_token}"}
    form = FormData()
    form.add_field("file", png_bytes(), filename="a.png", content_type="image/png")
    form.add_field("description", "v1 upload")
    async with http.post(f"{node.base_url}/api/v1/media", data=form, headers=auth) as response:
        assert response.status == 200
        assert (await response.json())["description"] == "v1 upload"
    no_file = FormData()
    no_file.add_field("description", "nothing attached")
    async with http.post(f"{node.base_url}/api/v2/media", data=no_file, headers=auth) as response:
        assert response.status == 422
        assert "file" in (await response.json())["error"]
    reader = await node.password_token("ada", scopes=["read"])
    form = FormData()
    form.add_field("file", png_bytes(), filename="a.png", content_type="image/png")
    async with http.post(f"{node.base_url}/api/v2/media", data=form,
                         headers={"Authorization": f"Bearer {reader.access_token}"}) as response:
        assert response.status == 403
    async with http.post(f"{node.base_url}/api/v2/media", data=b"x") as response:
        assert response.status == 401


async def test_uploaded_media_goes_into_a_post(node):
    await node.create_user("ada")
    api = await node.password_token("ada")
    media = await node.call(api.media_post, png_bytes(), mime_type="image/png", description="ramp")
    status = await node.call(api.status_post, "an upload", media_ids=[media["id"]])
    assert [item["id"] for item in status["media_attachments"]] == [media["id"]]
    assert status["media_attachments"][0]["description"] == "ramp"
    assert status["generation"] is None


async def test_editing_a_post_reorders_adds_and_drops_images(node):
    await node.create_user("ada")
    await node.create_user("eve")
    ada, eve = await node.password_token("ada"), await node.password_token("eve")
    first, second, third = [
        await node.call(ada.media_post, png_bytes((40 + i, 30)), mime_type="image/png", description=f"n{i}")
        for i in range(3)]
    status = await node.call(ada.status_post, "three ramps", media_ids=[first["id"], second["id"]])
    edited = await node.call(ada.status_update, status["id"], "three ramps, reordered",
                             media_ids=[third["id"], first["id"]])
    assert [item["id"] for item in edited["media_attachments"]] == [third["id"], first["id"]]
    # The dropped image is an unattached upload again, free for another post.
    reused = await node.call(ada.status_post, "the one left out", media_ids=[second["id"]])
    assert [item["id"] for item in reused["media_attachments"]] == [second["id"]]
    # Someone else's image cannot be edited in, and the post stays as it was.
    theirs = await node.call(eve.media_post, png_bytes(), mime_type="image/png")
    with pytest.raises(MastodonAPIError):
        await node.call(ada.status_update, status["id"], "stolen", media_ids=[theirs["id"]])
    shown = await node.call(ada.status, status["id"])
    assert [item["id"] for item in shown["media_attachments"]] == [third["id"], first["id"]]


async def test_an_edited_description_shows_at_once_on_every_read(node):
    """Statuses keep their rendered images between requests (node.api.status_parts); an edit
    must still show on the very next read of the status and of the timeline."""
    await node.create_user("ada")
    ada = await node.password_token("ada")
    media = await node.call(ada.media_post, png_bytes(), mime_type="image/png", description="first alt")
    status = await node.call(ada.status_post, "alt text matters", media_ids=[media["id"]])
    for _ in range(2):  # read twice, so the second read is served from what the first kept
        assert (await node.call(ada.status, status["id"]))["media_attachments"][0]["description"] == "first alt"
    await node.call(ada.status_update, status["id"], "alt text matters",
                    media_attributes=[{"id": media["id"], "description": "second alt"}])
    shown = await node.call(ada.status, status["id"])
    [in_timeline] = await node.call(ada.timeline_home)
    for entity in (shown, in_timeline):
        assert entity["media_attachments"][0]["description"] == "second alt"
