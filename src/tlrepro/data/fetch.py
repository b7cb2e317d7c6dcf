"""Getting verified raw files: offline mirror, download cache, or a pooch download.

Order of look-up for a dataset:

1. An offline mirror (the ``mirror`` argument, else the environment variable ``TLREPRO_DATA_MIRROR``):
   the network is never used. The first complete form (official, then partial/converted) found in
   ``<mirror>/<subdir>/`` is verified and read in place; a bad mirror file is reported, never touched.
2. Otherwise the official form, file by file: a copy in the download cache (``cache`` argument, else
   ``TLREPRO_DATA_CACHE``, else pooch's per-user cache) is verified; a bad cached copy is moved aside
   (``<name>.corrupt``) and reported, so the next run downloads it again. A missing file is downloaded
   with pooch into a temporary file, verified, and only then moved into the cache.

No connection (no network, DNS failure, refused) fails at once with :class:`OfflineError`, naming the
dataset, the URL and ``TLREPRO_DATA_MIRROR``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tarfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from . import registry
from .errors import (MIRROR_ENV, ChecksumError, DownloadError, ManualDownloadRequired,
                     MissingDataError, OfflineError, VerificationError)
from .registry import Dataset, Form, RemoteFile

CACHE_ENV = "TLREPRO_DATA_CACHE"
CONNECT_TIMEOUT_S = 10.0  # no long hang on a machine without network
READ_TIMEOUT_S = 60.0
RETRIES = 2  # extra attempts after an interrupted transfer (not after a refused connection)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VerifiedFile:
    """A raw file that passed its check. ``expected``: the registered hash or counts, in words."""

    name: str
    path: Path
    md5: str
    sha256: str
    check: str
    expected: str

    def record(self) -> dict:
        """JSON-ready description for the canonical metadata (no machine-specific path)."""
        return {"name": self.name, "md5": self.md5, "sha256": self.sha256, "check": self.check,
                "expected": self.expected}


@dataclass(frozen=True)
class Fetched:
    """The verified files of one form of a dataset. ``origin``: mirror, cache+download or user."""

    dataset: str
    form: str
    origin: str
    files: tuple[VerifiedFile, ...]

    @property
    def paths(self) -> list[Path]:
        return [f.path for f in self.files]

    def path(self, fname: str) -> Path:
        for f in self.files:
            if f.name == fname:
                return f.path
        raise KeyError(fname)


# ------------------------------------------------------------------------------------ locations
def resolve_mirror(mirror: str | os.PathLike | None = None) -> Path | None:
    """The offline mirror: the argument, else ``$TLREPRO_DATA_MIRROR``, else None (empty = unset)."""
    value = os.fspath(mirror) if mirror is not None else os.environ.get(MIRROR_ENV, "")
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise MissingDataError(f"offline mirror {path} (from "
                               f"{'the mirror argument' if mirror is not None else MIRROR_ENV}) "
                               f"is not a directory")
    return path


def resolve_cache(cache: str | os.PathLike | None = None) -> Path:
    """The download cache: the argument, else ``$TLREPRO_DATA_CACHE``, else pooch's user cache."""
    if cache is not None:
        return Path(cache).expanduser()
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    import pooch

    return Path(pooch.os_cache("tlrepro"))


# --------------------------------------------------------------------------------- verification
def file_digests(path: Path) -> dict[str, str]:
    """md5 and sha256 of a file, in one pass."""
    md5, sha = hashlib.md5(), hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            md5.update(chunk)
            sha.update(chunk)
    return {"md5": md5.hexdigest(), "sha256": sha.hexdigest()}


def archive_members(path: Path) -> Iterable[str]:
    """Names of the regular files in a tar or zip archive, or below a folder (POSIX, relative)."""
    path = Path(path)
    if path.is_dir():
        return (p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return [i.filename for i in zf.infolist() if not i.is_dir()]
    try:
        with tarfile.open(path, "r:*") as tf:
            return [m.name for m in tf if m.isfile()]
    except (tarfile.TarError, EOFError, OSError) as err:
        raise VerificationError(f"{path} is not a readable zip or tar archive: {err}") from None


def count_classes(names: Iterable[str], pattern: str) -> dict[str, int]:
    """Files per class among ``names`` matching ``pattern`` (groups ``cls`` and ``file``); a file name
    that appears twice in one class (an archive holding two copies of a folder) counts once."""
    rx = re.compile(pattern)
    seen: dict[str, set[str]] = defaultdict(set)
    for name in names:
        m = rx.search(name)
        if m:
            seen[m.group("cls")].add(m.group("file"))
    return {c: len(v) for c, v in sorted(seen.items())}


def _expected_text(rf: RemoteFile) -> str:
    if rf.known_hash:
        return rf.known_hash
    if rf.hash_prefix:
        return f"sha256 starting with {rf.hash_prefix}"
    if rf.expected_counts:
        return f"files per class {dict(rf.expected_counts)}"
    return "nothing registered"


def verify(path: Path, rf: RemoteFile, *, label: str, where: str = "") -> VerifiedFile:
    """Check ``path`` against the registry entry ``rf``; raise ChecksumError / VerificationError.

    ``where`` is appended to the message (what happened to the file, what to do)."""
    path = Path(path)
    digests = file_digests(path)
    tail = f" {where}" if where else ""
    if rf.known_hash:
        alg, _, expected = rf.known_hash.partition(":") if ":" in rf.known_hash else \
            ("sha256", "", rf.known_hash)
        actual = digests.get(alg.lower())
        if actual is None:
            import pooch

            actual = pooch.file_hash(str(path), alg=alg.lower())
        if actual.lower() != expected.lower():
            raise ChecksumError(
                f"{label}: checksum mismatch for {path}: expected {alg} {expected}, actual {alg} "
                f"{actual} ({path.stat().st_size} bytes; corrupted or truncated).{tail}",
                path=path, algorithm=alg, expected=expected, actual=actual)
    elif rf.hash_prefix:
        if not digests["sha256"].startswith(rf.hash_prefix):
            raise ChecksumError(
                f"{label}: checksum mismatch for {path}: expected sha256 starting with "
                f"{rf.hash_prefix} (torchvision check_hash), actual sha256 {digests['sha256']} "
                f"({path.stat().st_size} bytes; corrupted or truncated).{tail}",
                path=path, algorithm="sha256", expected=rf.hash_prefix, actual=digests["sha256"])
    elif rf.expected_counts and rf.count_pattern:
        counts = count_classes(archive_members(path), rf.count_pattern)
        if counts != dict(rf.expected_counts):
            raise VerificationError(
                f"{label}: {path} has the wrong number of files per class (no official checksum "
                f"exists, the file counts are the check): expected {dict(rf.expected_counts)}, "
                f"found {counts} (sha256 {digests['sha256']}).{tail}")
    else:
        raise VerificationError(f"{label}: the registry has no way to verify {rf.fname}")
    return VerifiedFile(rf.fname, path, digests["md5"], digests["sha256"], rf.check,
                        _expected_text(rf))


# -------------------------------------------------------------------------------------- download
class _VerifyingDownloader:
    """pooch downloader: HTTP with short timeouts, a refused connection turned into OfflineError at
    once, and the file verified while still a temporary (pooch deletes it when this raises)."""

    def __init__(self, rf: RemoteFile, label: str, hint: str) -> None:
        import pooch

        self.rf, self.label, self.hint = rf, label, hint
        self.verified: VerifiedFile | None = None
        self.http = pooch.HTTPDownloader(progressbar=False,
                                         timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S))

    def __call__(self, url: str, output_file, pooch_obj) -> None:
        import requests

        try:
            self.http(url, output_file, pooch_obj)
        except (requests.ConnectionError, requests.Timeout) as err:
            received = Path(output_file).exists() and Path(output_file).stat().st_size > 0
            if received and not isinstance(err, requests.ConnectTimeout):
                raise  # interrupted transfer: let pooch retry
            raise OfflineError(f"{self.label}: cannot download {self.rf.fname} from {url}: no "
                               f"connection ({type(err).__name__}). {self.hint}") from None
        self.verified = verify(
            Path(output_file), self.rf, label=self.label,
            where=f"Downloaded from {url}; the download was discarded (nothing was written to the "
                     f"cache), so a new run downloads it again.")


def offline_hint(subdir: str, forms: Iterable[tuple[str, Iterable[str]]]) -> str:
    """What to do without network: the mirror variable and the expected layout of each form."""
    files = "; or ".join(f"{', '.join(f'<mirror>/{subdir}/{f}' for f in fnames)} ({name})"
                         for name, fnames in forms)
    return (f"Without internet access, put the files in an offline mirror and set the environment "
            f"variable {MIRROR_ENV}=<mirror> (or the config key data.mirror); expected: {files}.")


def download(rf: RemoteFile, dest_dir: Path, *, label: str, hint: str = "") -> VerifiedFile:
    """Download ``rf`` into ``dest_dir`` with pooch, verified; its URLs are tried in order."""
    import pooch
    import requests

    failures = []
    for url in rf.urls:
        p = pooch.create(path=dest_dir, base_url="", registry={rf.fname: rf.known_hash},
                         urls={rf.fname: url}, retry_if_failed=RETRIES, allow_updates=False)
        log.info("%s: downloading %s from %s", label, rf.fname, url)
        downloader = _VerifyingDownloader(rf, label, hint)
        try:
            path = Path(p.fetch(rf.fname, downloader=downloader))
            return replace(downloader.verified, path=path)
        except OfflineError as err:
            failures.append((url, err, True))
        except requests.RequestException as err:
            failures.append((url, err, False))
    if not failures:
        raise DownloadError(f"{label}: {rf.fname} has no download URL. {hint}")
    if all(offline for _, _, offline in failures):
        if len(failures) == 1:
            raise failures[0][1]
        tried = "; ".join(f"{u} ({type(e).__name__})" for u, e, _ in failures)
        raise OfflineError(f"{label}: cannot download {rf.fname}: no connection to any source "
                           f"(tried {tried}). {hint}")
    tried = "; ".join(f"{u}: {e}" for u, e, _ in failures)
    raise DownloadError(f"{label}: download of {rf.fname} failed (tried {tried}). {hint}")


def obtain_cached(rf: RemoteFile, cache_dir: Path, *, label: str, hint: str) -> tuple[VerifiedFile, str]:
    """A verified copy of ``rf`` in ``cache_dir``: the cached one, or a fresh download.

    A cached copy that fails its check is moved aside to ``<name>.corrupt`` (replacing an older one)
    and the error is raised: nothing downstream runs, and the next attempt downloads again."""
    target = cache_dir / rf.fname
    if target.exists():
        aside = target.with_name(target.name + ".corrupt")
        try:
            return verify(target, rf, label=label), "cache"
        except VerificationError as err:
            target.replace(aside)
            raise type(err)(f"{err} The bad cached copy was moved aside to {aside}; run again to "
                            f"download it afresh.", **_checksum_kwargs(err, aside)) from None
    return download(rf, cache_dir, label=label, hint=hint), "download"


def _checksum_kwargs(err: VerificationError, path: Path) -> dict:
    if isinstance(err, ChecksumError):
        return {"path": path, "algorithm": err.algorithm, "expected": err.expected,
                "actual": err.actual}
    return {}


def obtain_from_mirror(rf: RemoteFile, path: Path, *, label: str) -> VerifiedFile:
    """Verify a mirror file in place; it is never modified or deleted."""
    return verify(path, rf, label=label,
                  where="The mirror file was left untouched: replace it with a good copy.")


# ---------------------------------------------------------------------------------------- fetch
def _mirror_form(ds: Dataset, folder: Path) -> Form | None:
    for form in ds.forms:
        if all((folder / f.fname).is_file() for f in form.files):
            return form
    return None


def _describe_forms(ds: Dataset) -> str:
    return "; ".join(f"{f.name}: {', '.join(x.fname for x in f.files)}" for f in ds.forms)


def fetch(name: str, *, mirror: str | os.PathLike | None = None,
          cache: str | os.PathLike | None = None, source: str | os.PathLike | None = None) -> Fetched:
    """Verified raw files of dataset ``name`` (see the module docstring for the look-up order).

    ``source``: for a manual dataset (``registry.Dataset.manual``), the user-provided archive or
    folder; otherwise ignored."""
    ds = registry.get(name)
    label = f"dataset '{ds.name}'"
    mirror_dir = resolve_mirror(mirror)
    if ds.manual:
        return fetch_manual(ds, mirror_dir, source)
    if mirror_dir is not None:
        folder = mirror_dir / ds.subdir
        form = _mirror_form(ds, folder)
        if form is None:
            raise MissingDataError(
                f"{label}: the offline mirror {mirror_dir} holds no complete accepted form in "
                f"{folder}/ (accepted: {_describe_forms(ds)}). The network is not used while a "
                f"mirror is set (TLREPRO_DATA_MIRROR or the config key data.mirror): add the files "
                f"to the mirror, or unset it to download the official files from "
                f"{', '.join(u for f in ds.official.files for u in f.urls[:1])}.")
        files = tuple(obtain_from_mirror(rf, folder / rf.fname, label=label) for rf in form.files)
        log.info("%s: %s form from the mirror %s", label, form.name, folder)
        return Fetched(ds.name, form.name, "mirror", files)
    cache_dir = resolve_cache(cache) / ds.subdir
    hint = offline_hint(ds.subdir, [(f.name, [x.fname for x in f.files]) for f in ds.forms])
    files, origins = [], set()
    for rf in ds.official.files:
        vf, origin = obtain_cached(rf, cache_dir, label=label, hint=hint)
        files.append(vf)
        origins.add(origin)
    return Fetched(ds.name, "official", "+".join(sorted(origins)), tuple(files))


def fetch_manual(ds: Dataset, mirror_dir: Path | None, source: str | os.PathLike | None) -> Fetched:
    """A dataset the user provides (archive or unpacked folder), verified by its file counts."""
    label = f"dataset '{ds.name}'"
    rf = ds.official.files[0]
    candidates: list[Path] = []
    if source is not None:
        candidates.append(Path(source).expanduser())
    if mirror_dir is not None:
        folder = mirror_dir / ds.subdir
        candidates += [folder / n for n in ds.archive_names] + [folder]
    found = next((c for c in candidates if c.is_file() or (c.is_dir() and any(c.iterdir()))), None)
    if found is None:
        looked = ", ".join(str(c) for c in candidates) or f"nowhere ({MIRROR_ENV} is not set)"
        raise ManualDownloadRequired(f"{label} is not available (looked in: {looked}).\n"
                                     f"{ds.instructions}")
    if found.is_dir():
        archives = [found / n for n in ds.archive_names if (found / n).is_file()]
        found = archives[0] if archives else found
    counts = count_classes(archive_members(found), rf.count_pattern)
    if counts != dict(rf.expected_counts):
        raise VerificationError(f"{label}: {found} has the wrong number of files per class: expected "
                                f"{dict(rf.expected_counts)}, found {counts}. An incomplete download "
                                f"or extraction? \n{ds.instructions}")
    digests = file_digests(found) if found.is_file() else {"md5": "", "sha256": ""}
    vf = VerifiedFile(found.name, found, digests["md5"], digests["sha256"], rf.check,
                      _expected_text(rf))
    return Fetched(ds.name, "official", "user-provided", (vf,))


def fetch_file(rf: RemoteFile, *, label: str, subdir: str, mirror: str | os.PathLike | None = None,
               cache_dir: Path) -> tuple[VerifiedFile, str]:
    """One verified file (pretrained weights): mirror ``<mirror>/<subdir>/<fname>``, else cache or
    download into ``cache_dir``. Returns the file and its origin."""
    mirror_dir = resolve_mirror(mirror)
    if mirror_dir is not None:
        path = mirror_dir / subdir / rf.fname
        if not path.is_file():
            raise MissingDataError(f"{label}: {path} is not in the offline mirror (the network is "
                                   f"not used while a mirror is set); download it from {rf.url}.")
        return obtain_from_mirror(rf, path, label=label), "mirror"
    hint = offline_hint(subdir, [("official", [rf.fname])])
    return obtain_cached(rf, cache_dir, label=label, hint=hint)

