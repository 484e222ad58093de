"""The folder source: every document file under a corpus directory."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from ingest.sources import RawInput

DOCUMENT_SUFFIXES = {".html", ".htm", ".txt", ".md"}
SIDECAR_SUFFIX = ".meta.json"
SIDECAR_FIELDS = {"url", "title", "publish_date", "publisher", "region"}
MAX_FILE_BYTES = 50 * 1024 * 1024


def _sidecar_for(path: Path) -> Path | None:
    """``a.html`` may have ``a.meta.json`` or ``a.html.meta.json`` beside it."""
    for candidate in (path.with_name(path.stem + SIDECAR_SUFFIX), path.with_name(path.name + SIDECAR_SUFFIX)):
        if candidate.is_file():
            return candidate
    return None


def read_sidecar(path: Path) -> tuple[dict, list[str]]:
    """Return the sidecar's known fields and notes about anything unusable in it."""
    sidecar = _sidecar_for(path)
    if sidecar is None:
        return {}, []
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
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


def iter_folder(corpus_dir: str | Path) -> Iterator[RawInput]:
    """Yield every document file below ``corpus_dir`` in a stable order.

    Files whose real path leaves the corpus folder (a symlink pointing out) are
    yielded as errors, not read.
    """
    root = Path(corpus_dir).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus_dir}")
    for path in sorted(root.rglob("*")):
        if path.name.endswith(SIDECAR_SUFFIX) or path.suffix.lower() not in DOCUMENT_SUFFIXES:
            continue
        source_uri = path.absolute().as_uri()
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            yield RawInput(source_uri, error=f"unreadable: {exc}")
            continue
        if not real.is_relative_to(root):
            yield RawInput(source_uri, error=f"path escapes the corpus folder (resolves to {real})")
            continue
        if not real.is_file():
            continue
        metadata, notes = read_sidecar(path)
        try:
            size = real.stat().st_size
            if size > MAX_FILE_BYTES:
                yield RawInput(source_uri, error=f"file too large: {size} bytes > {MAX_FILE_BYTES}")
                continue
            data = real.read_bytes()
        except OSError as exc:
            yield RawInput(source_uri, error=f"unreadable: {exc.strerror or exc}")
            continue
        yield RawInput(source_uri, data=data, url=metadata.get("url"), metadata=metadata, notes=notes)
