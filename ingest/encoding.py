"""Decode document bytes whose charset is unknown or lies.

Chinese pages declare gb2312 while serving UTF-8, files carry no charset at
all, and Big5 and GBK share byte ranges. So: a BOM wins; otherwise bytes that
are valid UTF-8 are UTF-8 (GBK or Big5 text practically never is); otherwise
charset-normalizer chooses among the Chinese encodings, with the declared
charset only breaking ties.
"""

from __future__ import annotations

import codecs

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# GB18030 is a superset of GBK and GB2312: decoding with it never loses text
# that a narrower GB declaration would have read.
_CANDIDATES = ["utf_8", "gb18030", "big5", "big5hkscs"]
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "euc-cn"}


# Signatures of binary formats that turn up under .html names (a saved PDF, an
# image, an archive): name them in the rejection instead of guessing a charset.
_MAGIC = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "zip archive (or Office document)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xd0\xcf\x11\xe0", "legacy Office document"),
)


class UndecodableError(ValueError):
    """The bytes are not text in any encoding we accept (binary, or noise)."""


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for ``data``; raise ``UndecodableError`` if it is not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding.replace("-sig", "")
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise UndecodableError(f"binary content ({kind}), not a text document")
    if b"\x00" in data[:4096]:
        raise UndecodableError("binary content (NUL bytes), not a text document")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data, cp_isolation=_CANDIDATES).best()
    encoding = best.encoding if best is not None else None
    if encoding is None and declared:
        encoding = "gb18030" if declared.lower() in _GB_FAMILY else declared
    if encoding is None:
        raise UndecodableError("no text encoding fits these bytes (tried UTF-8, GB18030, Big5)")
    if encoding in {"gbk", "gb2312"}:
        encoding = "gb18030"
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError) as exc:
        raise UndecodableError(f"bytes do not decode as {encoding}: {exc}") from exc
