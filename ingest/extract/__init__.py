"""Rule-based extraction of policy targets and dated events from Chinese text.

``extract(clean_text, publish_date, publish_date_precision)`` works on a
length-preserving normalised copy of the text (full-width → ASCII, Traditional →
Simplified), so every evidence offset points into ``clean_text`` itself.
"""

from __future__ import annotations

import datetime as dt

from ingest.extract.dates import Publication
from ingest.extract.document import document_issuer, region_of_issuer
from ingest.extract.events import extract_events
from ingest.extract.model import (
    EventMeasure,
    EventMention,
    Extraction,
    IndicatorValue,
    TargetMention,
)
from ingest.extract.sentences import split_paragraphs
from ingest.extract.tables import table_facts
from ingest.extract.targets import extract_targets
from ingest.extract.values import extract_values
from ingest.normalize import normalize_for_extraction

EXTRACTOR_VERSION = "1.3.0"

__all__ = [
    "EXTRACTOR_VERSION", "EventMeasure", "EventMention", "Extraction", "IndicatorValue", "TargetMention", "extract",
]  # fmt: skip


def extract(
    clean_text: str,
    publish_date: dt.date | None = None,
    publish_date_precision: str | None = None,
    *,
    region: str | None = None,
    issuer: str | None = None,
) -> Extraction:
    """Targets and events of one document's clean text.

    ``publish_date`` resolves relative dates (昨日, 12日, 去年9月) and 今年/全年 target
    years; with precision "month" only month-level resolution is possible; with
    no date, only what the text itself fixes is kept.  ``region`` and ``issuer``
    are the document's own (loader metadata); the issuer the text names itself
    (发文机关, an official title) wins, and a place named in a target's clause
    wins over the document's region.
    """
    if isinstance(publish_date, dt.datetime):
        publish_date = publish_date.date()
    normalised = normalize_for_extraction(clean_text)
    paragraphs = split_paragraphs(normalised)
    pub = Publication(publish_date, publish_date_precision)
    issuer = document_issuer(normalised) or issuer
    region = region or region_of_issuer(issuer)
    table_targets, table_values, table_lines = (
        table_facts(clean_text, paragraphs, pub, region, issuer) if "|" in normalised else ([], [], set())
    )
    text_paragraphs = [p for p in paragraphs if p.index not in table_lines] if table_lines else paragraphs
    return Extraction(
        targets=extract_targets(clean_text, text_paragraphs, pub, region, issuer) + table_targets,
        events=extract_events(clean_text, normalised, paragraphs, pub),
        indicator_values=extract_values(clean_text, text_paragraphs, pub, region) + table_values,
    )
