"""Chat-export importers, one module per format.

The format modules are imported (and so registered) the first time the registry is used
(:func:`registry`, :func:`detect`, :func:`get`): a command that reads no export, such as
``unshared guide``, does not pay for loading every parser (and numpy, for screenshots).
"""

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
