"""Media: the image pipeline (sniff, decode with limits, strip metadata,
resize, preview, blurhash, XMP provenance) and the content-addressed store.

Everything a caller needs is importable from here; failures are
storage.errors.MediaError or one of the subclasses in storage.media.errors.
"""

from .blur import blurhash_components, compute_blurhash
from .decode import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, DecodedImage, decode_image
from .errors import (
    CorruptImage,
    InvalidFocus,
    InvalidMediaPath,
    MediaTooLarge,
    UnsupportedMediaType,
)
from .focus import CENTRE, Focus, parse_focus, validate_focus
from .pipeline import (
    MAX_SIDE,
    PREVIEW_SIDE,
    ProcessedImage,
    process_image,
)
from .sniff import ImageKind, sniff
from .store import (
    MediaStore,
    StoredMedia,
    check_relative_path,
    media_type_of,
    relative_path,
    url_path,
)
from .xmp import (
    TRAINED_ALGORITHMIC_MEDIA,
    Provenance,
    build_xmp,
    parse_xmp,
    read_provenance,
    read_xmp,
)

__all__ = [
    "CENTRE",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "MAX_SIDE",
    "PREVIEW_SIDE",
    "TRAINED_ALGORITHMIC_MEDIA",
    "CorruptImage",
    "DecodedImage",
    "Focus",
    "ImageKind",
    "InvalidFocus",
    "InvalidMediaPath",
    "MediaStore",
    "MediaTooLarge",
    "ProcessedImage",
    "Provenance",
    "StoredMedia",
    "UnsupportedMediaType",
    "blurhash_components",
    "build_xmp",
    "check_relative_path",
    "compute_blurhash",
    "decode_image",
    "media_type_of",
    "parse_focus",
    "parse_xmp",
    "process_image",
    "read_provenance",
    "read_xmp",
    "relative_path",
    "sniff",
    "url_path",
    "validate_focus",
]
