"""unshared: help for people being blackmailed with intimate images.

The public surface is small on purpose: the model, the errors and the version. Everything else is
reached through :mod:`unshared.usecases` (the use cases the CLI and the web app share).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("unshared")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
