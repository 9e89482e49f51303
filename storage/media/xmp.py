"""Provenance of generated images, carried inside the file as XMP.

Owns the Provenance record, the XMP packet that states it (IPTC
DigitalSourceType "trainedAlgorithmicMedia", as the IPTC guidance for
AI-made images asks, plus the prompt and generator in Muralist's own
namespace) and the reader that gets it back from PNG, JPEG and WebP files.
Embedding is done by the encoders in pipeline.py; uploads get no packet.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from xml.sax.saxutils import escape

from PIL import Image

from .errors import CorruptImage, MediaTooLarge
from .sniff import sniff

TRAINED_ALGORITHMIC_MEDIA = (
    "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
)

NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_XMP = "http://ns.adobe.com/xap/1.0/"
NS_IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
NS_MURALIST = "https://muralist.social/ns#"

# A JPEG APP1 segment holds at most 65,504 bytes of XMP. The prompt appears
# twice (dc:description and muralist:prompt) and escaping can grow a
# character to 5 bytes, so 4,000 characters always fit. The post keeps the
# full prompt; the file's copy is a label.
MAX_PROMPT_CHARS = 4000
MAX_FIELD_CHARS = 200

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class Provenance:
    """What made a generated image: the prompt, the generator, its settings."""

    prompt: str
    generator: str
    model: str | None = None
    seed: int | None = None
    digital_source_type: str = TRAINED_ALGORITHMIC_MEDIA


def build_xmp(provenance: Provenance) -> bytes:
    """Serialise a provenance record as a complete XMP packet (UTF-8)."""
    prompt = _text(provenance.prompt, MAX_PROMPT_CHARS)
    props = [
        _prop("Iptc4xmpExt:DigitalSourceType", provenance.digital_source_type),
        "<dc:description><rdf:Alt>"
        f'<rdf:li xml:lang="x-default">{prompt}</rdf:li>'
        "</rdf:Alt></dc:description>",
        _prop("xmp:CreatorTool", provenance.generator),
        f"<muralist:prompt>{prompt}</muralist:prompt>",
        _prop("muralist:generator", provenance.generator),
    ]
    if provenance.model is not None:
        props.append(_prop("muralist:model", provenance.model))
    if provenance.seed is not None:
        props.append(_prop("muralist:seed", str(int(provenance.seed))))
    body = "\n    ".join(props)
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        f' <rdf:RDF xmlns:rdf="{NS_RDF}">\n'
        '  <rdf:Description rdf:about=""'
        f' xmlns:dc="{NS_DC}" xmlns:xmp="{NS_XMP}"'
        f' xmlns:Iptc4xmpExt="{NS_IPTC_EXT}" xmlns:muralist="{NS_MURALIST}">\n'
        f"    {body}\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


def parse_xmp(packet: bytes) -> Provenance | None:
    """Read a provenance record from an XMP packet; None if it states none."""
    try:
        root = ET.fromstring(packet.rstrip(b"\x00 \r\n\t"))
    except ET.ParseError as exc:
        raise CorruptImage(f"malformed XMP packet: {exc}") from exc
    props = _collect(root)
    source_type = props.get(f"{{{NS_IPTC_EXT}}}DigitalSourceType")
    prompt = props.get(f"{{{NS_MURALIST}}}prompt")
    if source_type is None and prompt is None:
        return None
    seed = props.get(f"{{{NS_MURALIST}}}seed")
    return Provenance(
        prompt=prompt if prompt is not None else props.get(f"{{{NS_DC}}}description", ""),
        generator=props.get(f"{{{NS_MURALIST}}}generator", ""),
        model=props.get(f"{{{NS_MURALIST}}}model"),
        seed=int(seed) if seed is not None and seed.lstrip("-").isdigit() else None,
        digital_source_type=source_type or "",
    )


def read_xmp(data: bytes) -> bytes | None:
    """Return the raw XMP packet of a PNG, JPEG or WebP file, if it has one.

    Only headers are parsed; a PNG packet must come before the image data,
    which is where this module and most tools put it.
    """
    kind = sniff(data)
    try:
        with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as im:
            packet = im.info.get("xmp")
    except Image.DecompressionBombError as exc:
        raise MediaTooLarge("image has too many pixels to be opened") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CorruptImage(f"cannot read {kind.name.upper()} headers") from exc
    if isinstance(packet, str):
        packet = packet.encode("utf-8")
    return packet or None


def read_provenance(data: bytes) -> Provenance | None:
    """Return the provenance stated inside an image file, or None."""
    packet = read_xmp(data)
    return parse_xmp(packet) if packet else None


def _collect(root: ET.Element) -> dict[str, str]:
    """Flatten rdf:Description properties, in attribute or element form."""
    props: dict[str, str] = {}
    for desc in root.iter(f"{{{NS_RDF}}}Description"):
        for name, value in desc.attrib.items():
            if not name.startswith(f"{{{NS_RDF}}}"):
                props.setdefault(name, value)
        for child in desc:
            # Language alternatives (dc:description) keep their text in rdf:li.
            li = child.find(f".//{{{NS_RDF}}}li")
            text = li.text if li is not None else child.text
            props.setdefault(child.tag, text or "")
    return props


def _prop(name: str, value: str) -> str:
    return f"<{name}>{_text(value, MAX_FIELD_CHARS)}</{name}>"


def _text(value: str, limit: int) -> str:
    return escape(_NOT_XML.sub("", str(value))[:limit])
