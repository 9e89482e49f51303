"""The software version, as installed."""

from importlib import metadata

try:
    __version__ = metadata.version("muralist")
except metadata.PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.1.0"

SOFTWARE_NAME = "muralist"
REPOSITORY_URL = "https://github.com/muralist/muralist"

# Mastodon apps read `version` to decide which endpoints exist (Mastodon.py keeps the part
# before the first space). Quote posts came with Mastodon 4.5, which reports api_versions.mastodon
# 7; apps (Mastodon.py among them) check these before they offer quote posts.
MASTODON_COMPAT_VERSION = "4.5.0"
MASTODON_API_VERSION = 7


def mastodon_version_string() -> str:
    return f"{MASTODON_COMPAT_VERSION} (compatible; Muralist {__version__})"
