"""How much of a text looks mis-decoded (mojibake), as a share of its visible characters.

Chinese text read with the wrong charset leaves recognisable traces:

* GBK/GB18030 or UTF-8 bytes read as Latin-1/cp1252: runs of Latin-1
  supplement letters and C1 controls (泉州 as "ÈªÖÝ" or "æ³‰å·ž");
* bytes that did not decode at all: U+FFFD, and its UTF-8 bytes read back as
  GBK, the proverbial 锟斤拷 (and 烫烫烫/屯屯屯, uninitialised memory);
* GBK read as Shift-JIS or an OEM code page: half-width katakana, box drawing;
* GBK user-defined areas: private-use characters;
* UTF-8 bytes read as GBK (a page declaring gb2312 that is UTF-8): real but
  rare hanzi such as "鍙戝睍鏀归潻" — caught by re-encoding each run of them
  as GBK: if the bytes are valid UTF-8 for CJK text, the run was UTF-8.

Legitimate policy text uses a few Latin-1 characters (· × ÷ ° ± ² ³ and the
like), which are not counted. ``mojibake_share`` returns suspicious characters
/ visible (non-whitespace) characters; 0.0 for an empty text.
"""

from __future__ import annotations

import re

# Latin-1 and cp1252 characters that ordinary Chinese text does use.
_LATIN1_ALLOWED = "·×÷°±²³¹µ§©®¥£¢¼½¾¬¯´¨¶¿¡«»"
_LATIN1_SUSPECT = "".join(
    chr(c) for c in range(0xA1, 0x100) if chr(c) not in _LATIN1_ALLOWED
)
# cp1252's 0x80–0x9F glyphs that only turn up as mojibake (not ‰ … – — ‘ ’ “ ” • ™ ‹ ›).
_CP1252_SUSPECT = "ƒˆ˜ŠšŒœŽžŸ†‡‚„"
_SUSPECT_CHARS = re.compile(
    "[\ufffd\u0080-\u009f"
    + re.escape(_LATIN1_SUSPECT + _CP1252_SUSPECT)
    + "\u2500-\u259f"  # box drawing, block elements
    + "\ue000-\uf8ff"  # private use (GBK user-defined areas)
    + "\uff61-\uff9f"  # half-width katakana
    + "]"
)
# Well-known mis-decodings, counted whole.
_SUSPECT_RUNS = re.compile("(?:锟斤拷)+|烫{3,}|屯{3,}")
# Runs of non-ASCII, non-space characters that might be UTF-8 read as GBK; at
# least this share of their GBK bytes must re-read as UTF-8 CJK characters.
_WIDE_RUN = re.compile(r"[^\x00-\x7f\s\ufffd]{3,}")
_MIN_UTF8_BYTE_SHARE = 0.8
# Characters that take three bytes in UTF-8 (U+0800–U+FFFF), but not U+FFFD.
_THREE_BYTE_UTF8 = re.compile("[\u0800-\ufffc\ufffe\uffff]")
_WHITESPACE = re.compile(r"[\s\u3000\u00a0\ufeff]+")


def _utf8_read_as_gbk(run: str) -> int:
    """len(run) if ``run`` is UTF-8 text whose bytes were decoded as GBK, else 0.

    Encoded back to GBK, such a run is (nearly all) well-formed UTF-8 for
    CJK characters. Real GBK text re-read as UTF-8 gives a three-byte
    character only where bytes happen to line up (a few per cent of them).
    """
    raw = run.encode("gbk", errors="replace")
    decoded = raw.decode("utf-8", errors="replace")
    wide_bytes = 3 * len(_THREE_BYTE_UTF8.findall(decoded))  # a regex, not a loop per character
    return len(run) if wide_bytes >= _MIN_UTF8_BYTE_SHARE * len(raw) else 0


def mojibake_chars(text: str | None) -> int:
    """Number of characters of ``text`` that look mis-decoded."""
    if not text:
        return 0
    count = sum(len(m.group(0)) for m in _SUSPECT_RUNS.finditer(text))
    rest = _SUSPECT_RUNS.sub(" ", text)
    count += len(_SUSPECT_CHARS.findall(rest))
    count += sum(_utf8_read_as_gbk(m.group(0)) for m in _WIDE_RUN.finditer(rest))
    return count


def mojibake_share(text: str | None) -> float | None:
    """Share of the visible characters of ``text`` that look mis-decoded (None for None)."""
    if text is None:
        return None
    visible = len(_WHITESPACE.sub("", text))
    if not visible:
        return 0.0
    return min(1.0, mojibake_chars(text) / visible)
