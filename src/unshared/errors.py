"""One exception hierarchy for the whole project.

Every error a user can cause is an :class:`UnsharedError`. The CLI and the web app turn these into
a calm one-line message and an exit code; anything else is a bug.
"""

from __future__ import annotations

__all__ = [
    "UnsharedError",
    "WrongFormat",
    "ParseError",
    "IntegrityError",
    "WrongPassphrase",
    "NotACaseFile",
    "CaseFileError",
    "InputFileError",
    "LowQualityMedia",
    "UnsupportedMedia",
    "LimitExceeded",
    "BankError",
]


class UnsharedError(Exception):
    """Base of every error the project raises on purpose."""

    exit_code: int = 1

    def __init__(self, message: str, *, path: str | None = None, where: str | None = None) -> None:
        self.message = message
        self.path = path
        self.where = where
        super().__init__(self.describe())

    def describe(self) -> str:
        parts = []
        if self.path:
            parts.append(str(self.path) + (f" ({self.where})" if self.where else ""))
        elif self.where:
            parts.append(self.where)
        parts.append(self.message)
        return ": ".join(parts)


class WrongFormat(UnsharedError):
    """An importer or reader does not recognise this input. Used for format detection."""


class ParseError(UnsharedError):
    """The input looked like the format but is broken at a given place (line, offset, pointer)."""


class InputFileError(UnsharedError):
    """The input path is missing, a directory, unreadable or empty."""


class IntegrityError(UnsharedError):
    """A stored hash, chain link or bundle manifest does not match what is there."""

    exit_code = 3


class WrongPassphrase(UnsharedError):
    """The passphrase does not open this case file."""

    exit_code = 2


class NotACaseFile(UnsharedError):
    """The file is not an unshared case (or is truncated or corrupted beyond opening)."""

    exit_code = 2


class CaseFileError(UnsharedError):
    """The case file exists but cannot be used as asked (already exists, read-only, ...)."""


class LowQualityMedia(UnsharedError):
    """The image or frame is too flat or small for a trustworthy perceptual hash."""


class UnsupportedMedia(UnsharedError):
    """The file is not an image or video this tool can decode."""


class LimitExceeded(UnsharedError):
    """A safety limit was hit (archive too large, compression ratio too high, ...)."""


class BankError(UnsharedError):
    """The hash bank refused or failed a request."""
