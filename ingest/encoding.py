"""Decode document bytes whose charset is unknown or lies.

Chinese pages declare gb2312 while serving UTF-8, files carry no charset at
all, and Big5 and GBK share byte ranges. So: a BOM wins; otherwise bytes that
are valid UTF-8 are UTF-8 (GBK or Big5 text practically never is); otherwise
charset-normalizer chooses among the Chinese encodings, with the declared
charset only breaking ties. Bytes that are UTF-8 but for a few broken
sequences (a truncated download, one corrupted byte) stay UTF-8 with U+FFFD
in place of the broken bytes, rather than becoming GB18030 mojibake.
"""

from __future__ import annotations

import codecs
import re

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


# Binary formats are full of NULs; a text file may carry a few strays (a bad
# copy, a padded export). More NULs in the head than this share (or than
# _MAX_STRAY_NULS, for short files) is binary.
_MAX_NUL_SHARE = 0.01
_MAX_STRAY_NULS = 16
# Mostly-UTF-8 bytes: at least this many well-formed three-byte characters
# (CJK, CJK punctuation) per broken sequence. GBK or Big5 read as UTF-8 gives
# almost none: their byte pairs only rarely line up as a three-byte sequence.
_MIN_WIDE_PER_BROKEN = 4
_MIN_WIDE = 10


class UndecodableError(ValueError):
    """The bytes are not text in any encoding we accept (binary, or noise)."""


def _mostly_utf8(data: bytes) -> str | None:
    """``data`` decoded as UTF-8 with U+FFFD for broken sequences, if it is UTF-8 but for a few."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    wide = sum(1 for ch in text if ch >= "\u0800") - broken
    if wide >= _MIN_WIDE and wide >= _MIN_WIDE_PER_BROKEN * broken:
        return text
    return None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for ``data``; raise ``UndecodableError`` if it is not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding.replace("-sig", "")
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise UndecodableError(f"binary content ({kind}), not a text document")
    head = data[:4096]
    if head.count(b"\x00") > max(_MAX_STRAY_NULS, _MAX_NUL_SHARE * len(head)):
        raise UndecodableError("binary content (NUL bytes), not a text document")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if (text := _mostly_utf8(data)) is not None:
        return text, "utf-8"
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


# Double-encoded UTF-8: UTF-8 bytes read as Latin-1/cp1252 and written out as
# UTF-8 again, so 泉州 shows as "æ³‰å·ž". A lead character (U+00C2–U+00F4)
# followed by continuation characters (U+0080–U+00BF or cp1252's 0x80–0x9F
# glyphs) is one such character; runs of them are undone where they decode.
_CP1252_HIGH = bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore")
_CONTINUATION = "[\u0080-\u00bf" + re.escape(_CP1252_HIGH) + "]"
_MOJIBAKE_RUN = re.compile(f"(?:[\u00c2-\u00f4]{_CONTINUATION}{{1,3}})+")
_CP1252_BYTE = {ch: ch.encode("cp1252") for ch in _CP1252_HIGH}


def _undo_latin1(run: str) -> str | None:
    try:
        raw = b"".join(_CP1252_BYTE.get(ch) or bytes([ord(ch)]) for ch in run)
        fixed = raw.decode("utf-8")
    except (UnicodeDecodeError, ValueError):
        return None
    # Only repairs that yield non-Latin text count: a real "Ã©" in French stays.
    return fixed if any(ch > "\u02ff" for ch in fixed) else None


def repair_double_encoding(text: str) -> tuple[str, int]:
    """Undo UTF-8 that went through a Latin-1/cp1252 round trip; (text, runs repaired)."""
    repaired = 0

    def fix(match: re.Match) -> str:
        nonlocal repaired
        fixed = _undo_latin1(match.group(0))
        if fixed is None:
            return match.group(0)
        repaired += 1
        return fixed

    return _MOJIBAKE_RUN.sub(fix, text), repaired
