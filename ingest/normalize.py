"""Length-preserving normalisation of clean text for extraction.

Extraction runs on a normalised copy of a document's clean text, but every
offset it reports must point into the clean text itself. So every step here
maps one character to exactly one character: full-width ASCII to half-width,
ideographic space to space, Traditional to Simplified Chinese (OpenCC ``t2s``).
"""

from __future__ import annotations

from functools import lru_cache

import opencc

# Full-width forms U+FF01..U+FF5E map onto ASCII U+0021..U+007E.
_FULLWIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH_TO_ASCII[0x3000] = 0x20  # ideographic space
# Dashes and tildes used in ranges (3—4批次, 3~5年) are kept distinct from
# digits but folded to one form each, so patterns need one alternative.
_FULLWIDTH_TO_ASCII.update({0x2013: 0x2014, 0x2015: 0x2014, 0x301C: 0x7E, 0xFF5E: 0x7E})


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified, guaranteed to keep the text's length."""
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length: fall back to character by character,
    # which is always one-to-one.
    convert = _t2s().convert
    return "".join(ch if len(c := convert(ch)) != 1 else c for ch in text)


def normalize_for_extraction(text: str) -> str:
    """Return a copy of ``text`` with the same length, ready for pattern matching."""
    folded = text.translate(_FULLWIDTH_TO_ASCII)
    simplified = to_simplified(folded)
    assert len(simplified) == len(text)
    return simplified
