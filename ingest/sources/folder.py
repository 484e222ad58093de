"""The folder source: every document file under a corpus directory.

Every path with a document suffix is one input, even when it cannot be read:
a dangling symlink, a symlink leaving the folder, a directory or named pipe
under a document name, or an oversized file comes back with ``error`` set, so
the loader logs it as rejected instead of dropping it silently.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from ingest.sources import RawInput

DOCUMENT_SUFFIXES = {".html", ".htm", ".txt", ".md"}
SIDECAR_SUFFIX = ".meta.json"
SIDECAR_FIELDS = {"url", "title", "publish_date", "publisher", "region"}
# A policy page, even with inline images, stays well under this; bigger files
# are rejected before they are read (parsing 20 MB of HTML takes ~10 s and
# several times its size in memory, and is never a real notice).
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_SIDECAR_BYTES = 64 * 1024

_NOT_REGULAR = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _NOT_REGULAR if test(mode)), "not a regular file")


def _sidecar_for(path: Path, names_beside: set[str] | None = None) -> Path | None:
    """``a.html`` may have ``a.meta.json`` or ``a.html.meta.json`` beside it.

    ``names_beside``, the names of the files in its folder from a listing,
    spares a ``stat`` for each name not listed (most files have no sidecar).
    """
    for name in (path.stem + SIDECAR_SUFFIX, path.name + SIDECAR_SUFFIX):
        if names_beside is not None and name not in names_beside:
            continue
        # A listed name may still be no regular file (a dangling link, a pipe).
        if (candidate := path.with_name(name)).is_file():
            return candidate
    return None


def _read_capped(path: Path, limit: int) -> bytes:
    """Read a regular file of at most ``limit`` bytes without ever blocking.

    Opened non-blocking and checked on the open descriptor, so a file swapped
    for a named pipe after the listing cannot hang the run, and a file that
    grows while it is read cannot exhaust memory.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise IsADirectoryError(f"not a regular file ({_kind(mode)})")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"file too large: more than {limit} bytes (MAX_FILE_BYTES)")
    return data


def read_sidecar(path: Path, root: Path | None = None) -> tuple[dict, list[str]]:
    """Return the sidecar's known fields and notes about anything unusable in it.

    With ``root``, a sidecar whose real path leaves that folder is not read.
    """
    sidecar = _sidecar_for(path)
    if sidecar is None:
        return {}, []
    if root is not None and not sidecar.resolve().is_relative_to(root):
        return {}, [f"sidecar {sidecar.name} ignored: it escapes the corpus folder"]
    try:
        raw = _read_capped(sidecar.resolve(), MAX_SIDECAR_BYTES)
        meta = json.loads(raw.decode("utf-8-sig"))
    except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return {}, [f"sidecar {sidecar.name} ignored: {exc}"]
    if not isinstance(meta, dict):
        return {}, [f"sidecar {sidecar.name} ignored: not a JSON object"]
    notes = [f"sidecar {sidecar.name}: unknown field {key!r} ignored" for key in meta if key not in SIDECAR_FIELDS]
    known = {k: v for k, v in meta.items() if k in SIDECAR_FIELDS and v not in (None, "")}
    for key, value in list(known.items()):
        if not isinstance(value, str):
            notes.append(f"sidecar {sidecar.name}: {key} is not a string, ignored")
            del known[key]
    return known, notes


def corpus_root(corpus_dir: str | Path) -> Path:
    root = Path(corpus_dir).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus_dir}")
    return root


def list_documents(corpus_dir: str | Path) -> list[Path]:
    """Every document path below ``corpus_dir``, in a stable order (nothing is read)."""
    return [path for path, _ in _listing(corpus_dir)]


def list_fingerprints(corpus_dir: str | Path) -> Iterator[tuple[Path, str | None]]:
    """``list_documents`` with each document's ``fingerprint``, from one listing of the folder.

    The listing tells which sidecars exist, so a folder of 100,000 documents
    costs one ``stat`` per document and sidecar, not three per document.
    """
    for path, names_beside in _listing(corpus_dir):
        yield path, fingerprint(path, names_beside)


def _listing(corpus_dir: str | Path) -> list[tuple[Path, set[str]]]:
    """Every document path in a stable order, with the names of the files beside it."""
    root = corpus_root(corpus_dir)
    # What root.rglob("*") lists (folders too, symlinked ones not entered), at a
    # tenth of its cost: os.walk reads each folder once with scandir.
    entries: list[tuple[Path, set[str]]] = []
    for folder, dirs, files in os.walk(root):
        base, files_here = Path(folder), set(files)
        entries.extend((base / name, files_here) for name in (*dirs, *files))
    entries.sort(key=lambda entry: entry[0].parts)  # Path's own order, compared faster
    return [
        (path, names)
        for path, names in entries
        if not path.name.endswith(SIDECAR_SUFFIX) and path.suffix.lower() in DOCUMENT_SUFFIXES
    ]


def fingerprint(path: Path, names_beside: set[str] | None = None) -> str | None:
    """Size and modification time of the file and its sidecar: what tells an unchanged input without reading it."""
    parts = []
    for candidate in (path, _sidecar_for(path, names_beside)):
        if candidate is None:
            continue
        try:
            info = candidate.stat()
        except OSError:
            return None
        parts.append(f"{info.st_size}:{info.st_mtime_ns}")
    return "/".join(parts)


def read_document(path: Path, root: Path) -> RawInput:
    """Read one document (and its sidecar); problems come back as ``error``, never raised.

    A path whose real location leaves ``root`` (a symlink pointing out) is not
    read; neither is anything that is not a regular file.
    """
    source_uri = path.absolute().as_uri()
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        return RawInput(source_uri, error=f"unreadable: {exc}")
    if not real.is_relative_to(root):
        return RawInput(source_uri, error=f"path escapes the corpus folder (resolves to {real})")
    # Taken before reading: a file rewritten meanwhile then looks changed next time, never unchanged.
    print_ = fingerprint(path)
    try:
        info = real.stat()
        if not stat.S_ISREG(info.st_mode):
            return RawInput(source_uri, error=f"unreadable: not a regular file ({_kind(info.st_mode)})")
        if info.st_size > MAX_FILE_BYTES:
            return RawInput(
                source_uri, error=f"file too large: {info.st_size} bytes > {MAX_FILE_BYTES} (MAX_FILE_BYTES)"
            )
        data = _read_capped(real, MAX_FILE_BYTES)
    except ValueError as exc:  # grew past the cap while being read
        return RawInput(source_uri, error=str(exc))
    except OSError as exc:
        return RawInput(source_uri, error=f"unreadable: {exc.strerror or exc}")
    metadata, notes = read_sidecar(path, root)
    return RawInput(
        source_uri, data=data, url=metadata.get("url"), metadata=metadata, notes=notes, fingerprint=print_
    )


def iter_folder(corpus_dir: str | Path) -> Iterator[RawInput]:
    """Read every document file below ``corpus_dir`` in a stable order (see ``read_document``).

    Symlinked directories are not descended into.
    """
    root = corpus_root(corpus_dir)
    for path in list_documents(root):
        yield read_document(path, root)
