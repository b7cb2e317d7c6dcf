"""Exceptions of the data layer. Every message says what failed, where, and what to do next.

    DataError
    ├── UnknownDatasetError      a name that is not in the registry
    ├── MissingDataError         the data are not here and cannot be obtained automatically
    │   ├── DownloadError        the server answered, but not with the file (HTTP error)
    │   │   └── OfflineError     no connection at all (no network, DNS failure, refused)
    │   └── ManualDownloadRequired   a dataset behind a login: the message says how to get it
    └── VerificationError        a file or its content is not what the registry expects
        └── ChecksumError        a hash mismatch (names the file, the expected and the actual hash)
"""

from __future__ import annotations

from pathlib import Path

MIRROR_ENV = "TLREPRO_DATA_MIRROR"


class DataError(Exception):
    """Base class of every error raised by :mod:`tlrepro.data`."""


class UnknownDatasetError(DataError, KeyError):
    """A dataset or weights name that the registry does not know."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class MissingDataError(DataError):
    """The data are neither in the offline mirror nor in the cache and cannot be downloaded."""


class DownloadError(MissingDataError):
    """A download failed after the connection was made (HTTP error, interrupted transfer)."""


class OfflineError(DownloadError):
    """No connection to the official source could be made (offline machine, DNS, refused)."""


class ManualDownloadRequired(MissingDataError):
    """A dataset that cannot be downloaded anonymously and has not been provided by the user."""


class VerificationError(DataError):
    """A file, or the arrays read from it, differ from what the registry documents."""


class ChecksumError(VerificationError):
    """A file's hash differs from the registered one.

    Attributes: ``path`` (the file that was checked), ``algorithm``, ``expected``, ``actual``."""

    def __init__(self, message: str, *, path: Path | str, algorithm: str, expected: str,
                 actual: str) -> None:
        super().__init__(message)
        self.path = Path(path)
        self.algorithm = algorithm
        self.expected = expected
        self.actual = actual
