"""Paragraph and sentence segmentation with offsets into the document text."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Sentences end at 。!? and at ; (policy lists chain goals with semicolons).
# The text is already normalised, so full-width ！？； are ASCII here.
_SENTENCE = re.compile(r"[^。!?;\n]+[。!?;]*")
_PARAGRAPH = re.compile(r"[^\n]+")
_TERMINAL = "。!?;:,—"


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str  # normalised text of the sentence, stripped
    paragraph: int  # index of the paragraph (line) the sentence is in


@dataclass(frozen=True)
class Paragraph:
    index: int
    start: int
    end: int
    text: str
    sentences: tuple[Sentence, ...]

    @property
    def is_heading(self) -> bool:
        """A short line with no sentence punctuation: a title or section heading."""
        stripped = self.text.strip()
        return 0 < len(stripped) <= 40 and not any(ch in stripped for ch in "。,;") and (
            stripped[-1] not in _TERMINAL
        )


def split_paragraphs(text: str) -> list[Paragraph]:
    """Split normalised text into lines, and lines into stripped sentences."""
    paragraphs: list[Paragraph] = []
    for line in _PARAGRAPH.finditer(text):
        if not line.group().strip():
            continue
        index = len(paragraphs)
        sentences = []
        for match in _SENTENCE.finditer(line.group()):
            raw = match.group()
            stripped = raw.strip()
            if not stripped:
                continue
            start = line.start() + match.start() + (len(raw) - len(raw.lstrip()))
            sentences.append(Sentence(start, start + len(stripped), stripped, index))
        paragraphs.append(Paragraph(index, line.start(), line.end(), line.group(), tuple(sentences)))
    return paragraphs
