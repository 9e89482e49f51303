"""Provenance in the file: XMP written into PNG, JPEG and WebP, and read back."""

import io

import pytest
from PIL import Image, PngImagePlugin

from storage.errors import MediaError
from storage.media import (
    TRAINED_ALGORITHMIC_MEDIA,
    CorruptImage,
    Provenance,
    build_xmp,
    parse_xmp,
    process_image,
    read_provenance,
    read_xmp,
)
from storage.media.xmp import MAX_PROMPT_CHARS

PROVENANCE = Provenance(
    prompt='a lighthouse at dusk, "oil" <impasto> & gold — 灯台 🌅',
    generator="procedural",
    model="tiles-v2",
    seed=1234567890123,
)


def test_png_round_trip(png_bytes):
    result = process_image(png_bytes, provenance=PROVENANCE)
    assert result.original_media_type == "image/png"
    assert read_provenance(result.original_bytes) == PROVENANCE
    # Stored where XMP readers look: an iTXt chunk keyed XML:com.adobe.xmp.
    image = Image.open(io.BytesIO(result.original_bytes))
    assert isinstance(image, PngImagePlugin.PngImageFile)
    assert "DigitalSourceType" in image.info["XML:com.adobe.xmp"]
    assert b"iTXtXML:com.adobe.xmp" in result.original_bytes


def test_jpeg_round_trip(jpeg_bytes):
    result = process_image(jpeg_bytes, provenance=PROVENANCE)
    assert result.original_media_type == "image/jpeg"
    assert read_provenance(result.original_bytes) == PROVENANCE
    # An APP1 segment with the XMP namespace header (XMP spec part 3, 1.1.3).
    assert b"\xff\xe1" in result.original_bytes
    assert b"http://ns.adobe.com/xap/1.0/\x00<?xpacket" in result.original_bytes


def test_preview_carries_provenance_too(png_bytes):
    result = process_image(png_bytes, provenance=PROVENANCE)
    assert read_provenance(result.preview_bytes) == PROVENANCE


def test_packet_states_iptc_source_type():
    packet = build_xmp(Provenance(prompt="p", generator="g"))
    assert b"<Iptc4xmpExt:DigitalSourceType>" + TRAINED_ALGORITHMIC_MEDIA.encode() in packet
    assert b'xmlns:muralist="https://muralist.social/ns#"' in packet
    assert packet.startswith(b"<?xpacket begin=")


def test_optional_fields_absent():
    back = parse_xmp(build_xmp(Provenance(prompt="p", generator="g")))
    assert back == Provenance(prompt="p", generator="g", model=None, seed=None)


def test_characters_xml_cannot_carry_are_dropped():
    back = parse_xmp(build_xmp(Provenance(prompt="a\x00b\x1bc\td", generator="g")))
    assert back.prompt == "abc\td"


def test_long_prompt_still_fits_a_jpeg(jpeg_bytes):
    prompt = "&" * (MAX_PROMPT_CHARS * 3)
    result = process_image(jpeg_bytes, provenance=Provenance(prompt=prompt, generator="g"))
    assert read_provenance(result.original_bytes).prompt == "&" * MAX_PROMPT_CHARS


def test_uploads_carry_no_provenance(png_bytes, jpeg_bytes):
    for data in (png_bytes, jpeg_bytes):
        result = process_image(data)
        assert read_xmp(result.original_bytes) is None
        assert read_provenance(result.preview_bytes) is None


def test_foreign_packets():
    attribute_form = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF'
        b' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
        b' Iptc4xmpExt:DigitalSourceType="' + TRAINED_ALGORITHMIC_MEDIA.encode() + b'"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    assert parse_xmp(attribute_form).digital_source_type == TRAINED_ALGORITHMIC_MEDIA
    assert parse_xmp(b'<x:xmpmeta xmlns:x="adobe:ns:meta/"/>') is None
    with pytest.raises(CorruptImage):
        parse_xmp(b"<x:xmpmeta")


def test_reader_refuses_what_is_not_an_image(craft):
    with pytest.raises(MediaError):
        read_xmp(b"plain text")
    with pytest.raises(MediaError):
        read_xmp(craft.png_claiming(100_000, 100_000))
    with pytest.raises(MediaError):
        read_xmp(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
