"""From one input to one prepared document: decode, clean, check it is a Chinese text."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ingest.clean import CleanDocument, EmptyDocumentError, clean_document
from ingest.encoding import UndecodableError, decode_bytes
from ingest.sources import RawInput
from ingest.sources.folder import iter_folder

MIN_CJK_CHARACTERS = 20
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class PreparedDocument:
    """An input that decoded and cleaned; what the loader stores and the extractor reads."""

    source_uri: str
    content_hash: str
    original_text: str
    encoding: str
    byte_size: int
    clean: CleanDocument
    notes: list[str]

    @property
    def document_id(self) -> str:
        return self.content_hash[:16]

    @property
    def file_name(self) -> str:
        return unquote(self.source_uri.rstrip("/").rsplit("/", 1)[-1])

    # The extractor's inputs, named as the evaluation expects them.
    @property
    def clean_text(self) -> str:
        return self.clean.clean_text

    @property
    def publish_date(self) -> dt.date | None:
        return self.clean.publish_date

    @property
    def publish_date_precision(self) -> str | None:
        return self.clean.publish_date_precision


class RejectedInput(ValueError):
    """An input that cannot become a document; the message is the logged reason."""


def decode(raw: RawInput) -> tuple[str, str]:
    """The text of one input and the encoding it was read in, or raise ``RejectedInput``."""
    if raw.error:
        raise RejectedInput(raw.error)
    data = raw.data or b""
    if not data.strip():
        raise RejectedInput("empty input (no bytes or only whitespace)")
    try:
        return decode_bytes(data, raw.declared_charset)
    except UndecodableError as exc:
        raise RejectedInput(str(exc)) from exc


def content_hash(text: str) -> str:
    """What identifies a document's content (its id is the first 16 characters)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def prepare(
    raw: RawInput, decoded: tuple[str, str] | None = None, text_hash: str | None = None
) -> PreparedDocument:
    """Decode and clean one input, or raise ``RejectedInput`` with the reason.

    ``decoded`` is what ``decode(raw)`` returned, and ``text_hash`` the
    ``content_hash`` of its text, when the caller already has them (a hash
    without ``decoded`` is not used: it could not be of the text decoded here).
    """
    text, encoding = decoded or decode(raw)
    try:
        clean = clean_document(text, raw.metadata)
    except EmptyDocumentError as exc:
        raise RejectedInput(str(exc)) from exc
    except (ValueError, TypeError, RecursionError, MemoryError) as exc:
        # One malformed document (trafilatura or lxml giving up) must not fail the batch.
        raise RejectedInput(f"cleaning failed: {type(exc).__name__}: {exc}") from exc
    cjk = len(_CJK.findall(clean.clean_text))
    if cjk < MIN_CJK_CHARACTERS:
        raise RejectedInput(f"not a Chinese document: {cjk} Chinese characters in the main text")
    if clean.url is None and raw.url:
        clean.url = raw.url
    return PreparedDocument(
        source_uri=raw.source_uri,
        content_hash=text_hash if decoded and text_hash else content_hash(text),
        original_text=text,
        encoding=encoding,
        byte_size=len(raw.data),
        clean=clean,
        notes=raw.notes + clean.notes,
    )


def prepare_corpus(corpus_dir: str | Path) -> Iterator[PreparedDocument]:
    """Every document of a corpus folder that cleans, for evaluation (rejects are skipped)."""
    for raw in iter_folder(corpus_dir):
        try:
            yield prepare(raw)
        except RejectedInput:
            continue
