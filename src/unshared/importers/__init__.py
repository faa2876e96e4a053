"""Chat-export importers, one module per format. Importing this package registers them all."""

from unshared.importers import (
    instagram,  # noqa: F401
    messenger,  # noqa: F401
    plaintext,  # noqa: F401
    signal,  # noqa: F401
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
