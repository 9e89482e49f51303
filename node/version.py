"""The software version, as installed."""

from importlib import metadata

try:
    __version__ = metadata.version("muralist")
except metadata.PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.1.0"

SOFTWARE_NAME = "muralist"
REPOSITORY_URL = "https://github.com/muralist/muralist"
