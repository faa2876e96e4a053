"""Chat-export importers, one module per format. Importing this package registers them all."""

from unshared.importers import (
    discord,  # noqa: F401
    discord_html,  # noqa: F401
    discord_package,  # noqa: F401
    google_chat,  # noqa: F401
    instagram,  # noqa: F401
    messenger,  # noqa: F401
    plaintext,  # noqa: F401
    screenshot,  # noqa: F401
    signal,  # noqa: F401
    skype,  # noqa: F401
    snapchat,  # noqa: F401
    telegram,  # noqa: F401
    telegram_html,  # noqa: F401
    whatsapp,  # noqa: F401
)
from unshared.importers.base import (
    BytesSource,
    FileSource,
    Importer,
    ImportOptions,
    Source,
    detect,
    get,
    register,
    registry,
)

__all__ = [
    "BytesSource",
    "FileSource",
    "Importer",
    "ImportOptions",
    "Source",
    "detect",
    "get",
    "register",
    "registry",
]
