"""A few realistic raw rows for the dbt and Great Expectations tests.

`make_build_db(path)` creates a build database with ``ingest.warehouse.connect``
(the real raw DDL) and loads two documents, their target, event, event-measure
and reported-figure mentions and extraction runs (including an outdated
extractor version that must not reach the facts) and one ingest_log row per
outcome.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from ingest.warehouse import connect, insert_rows

DOC_COLUMNS = (
    "document_id",
    "content_hash",
    "source_uri",
    "url",
    "title",
    "publish_date",
    "publish_date_precision",
    "publisher",
    "region",
    "content_format",
    "detected_encoding",
    "original_text",
    "clean_text",
    "extractor_version",
    "run_id",
    "loaded_at",
)
LOG_COLUMNS = (
    "run_id",
    "source_uri",
    "outcome",
    "reason",
    "document_id",
    "byte_size",
    "detected_encoding",
    "logged_at",
)
EXTRACTION_COLUMNS = (
    "document_id",
    "extractor_version",
    "target_count",
    "event_count",
    "extracted_at",
)
TARGET_COLUMNS = (
    "mention_id",
    "document_id",
    "extractor_version",
    "indicator",
    "value",
    "unit",
    "comparator",
    "target_year",
    "baseline_year",
    "region",
    "issuer",
    "evidence",
    "evidence_start",
    "evidence_end",
    "extracted_at",
)
INDICATOR_VALUE_COLUMNS = (
    "mention_id",
    "document_id",
    "extractor_version",
    "indicator",
    "value",
    "unit",
    "period",
    "period_precision",
    "value_kind",
    "region",
    "evidence",
    "evidence_start",
    "evidence_end",
    "extracted_at",
)
EVENT_MEASURE_COLUMNS = (
    "event_mention_id",
    "measure_index",
    "document_id",
    "extractor_version",
    "name",
    "value",
    "unit",
)
EVENT_COLUMNS = (
    "mention_id",
    "document_id",
    "extractor_version",
    "event_date",
    "date_precision",
    "event_type",
    "name",
    "location",
    "evidence",
    "evidence_start",
    "evidence_end",
    "extracted_at",
)

RUN = "run-20240601"
LOADED = datetime(2024, 6, 1, 8, 0, 0)
OLD = datetime(2024, 5, 1, 8, 0, 0)
NEW = datetime(2024, 6, 1, 8, 5, 0)

DOC_A = "a1b2c3d4e5f60718"  # 泉州 plan with targets
DOC_B = "0f1e2d3c4b5a6978"  # news item with events, reported figures and a signing's amounts
EVIDENCE_A1 = "到2025年，全社会研发经费投入达到360亿元，高新技术企业超过3000家。"
EVIDENCE_A2 = "2020年，全市高新技术企业达到1536家。"
TEXT_A = (
    "泉州市人民政府关于印发泉州市“十四五”科技创新发展规划的通知\n"
    + EVIDENCE_A2
    + EVIDENCE_A1
)
EVIDENCE_B1 = (
    "2022年1月5日，东海君两会云客厅正式启用。市政协委员、企业家代表围绕科技创新、"
    "民营经济高质量发展等议题，通过云客厅与市民面对面交流，建言献策。"
)
EVIDENCE_B2 = "2021年，晋江市实现地区生产总值2986.41亿元，同比增长8.5%。"
EVIDENCE_B3 = "1—11月，全市规模以上工业增加值同比增长9.2%。"
EVIDENCE_B4 = "当天，泉州市2022年第一季度重大项目集中签约活动举行，签约项目53个、总金额352.55亿元。"
TEXT_B = EVIDENCE_B1 + "\n" + EVIDENCE_B2 + EVIDENCE_B3 + "\n" + EVIDENCE_B4


def span(text: str, evidence: str) -> tuple[int, int]:
    """evidence_start, evidence_end of ``evidence`` in ``text`` (clean_text[s:e] == evidence)."""
    start = text.index(evidence)
    return start, start + len(evidence)


def document_rows() -> list[tuple]:
    start = TEXT_A.index(EVIDENCE_A1)
    assert TEXT_A[start : start + len(EVIDENCE_A1)] == EVIDENCE_A1
    return [
        (
            DOC_A,
            DOC_A + "9" * 48,
            "file:///corpus/003_quanzhou_plan.html",
            "http://www.quanzhou.gov.cn/zwgk/zfxxgkzl/202106/t20210601_2569870.htm",
            "泉州市“十四五”科技创新发展规划",
            date(2021, 6, 1),
            "day",
            "泉州市人民政府",
            "泉州",
            "html",
            "gb18030",
            "<html>" + TEXT_A + "</html>",
            TEXT_A,
            "clean-1.0",
            RUN,
            LOADED,
        ),
        (
            DOC_B,
            DOC_B + "8" * 48,
            "file:///corpus/005_yunketing.txt",
            None,
            "东海君两会云客厅正式启用",
            date(2022, 1, 6),
            "day",
            None,
            "泉州",
            "text",
            "utf-8",
            TEXT_B,
            TEXT_B,
            "clean-1.0",
            RUN,
            LOADED,
        ),
    ]


def ingest_log_rows() -> list[tuple]:
    return [
        (
            RUN,
            "file:///corpus/003_quanzhou_plan.html",
            "loaded",
            None,
            DOC_A,
            18432,
            "gb18030",
            LOADED,
        ),
        (
            RUN,
            "file:///corpus/005_yunketing.txt",
            "loaded",
            None,
            DOC_B,
            512,
            "utf-8",
            LOADED,
        ),
        (
            RUN,
            "file:///corpus/005_copy.txt",
            "duplicate",
            f"same content as {DOC_B}",
            DOC_B,
            512,
            "utf-8",
            LOADED,
        ),
        (
            RUN,
            "file:///corpus/broken.html",
            "rejected",
            "no main text",
            None,
            0,
            None,
            LOADED,
        ),
    ]


def target_rows() -> list[tuple]:
    s, e = span(TEXT_A, EVIDENCE_A1)
    return [
        # extractor v1 (outdated): must not reach fct_targets
        (
            "t-old-1",
            DOC_A,
            "extract-1.0",
            "全社会研发投入",
            36.0,
            "亿元",
            "=",
            2025,
            None,
            None,
            None,
            EVIDENCE_A1,
            s,
            e,
            OLD,
        ),
        # extractor v2 (current)
        (
            "t-new-1",
            DOC_A,
            "extract-2.0",
            "全社会研发经费投入",
            360.0,
            "亿元",
            "=",
            2025,
            None,
            None,  # region: none in the text, the facts fall back to the document's
            None,  # issuer: likewise, the document's publisher
            EVIDENCE_A1,
            s,
            e,
            NEW,
        ),
        (
            "t-new-2",
            DOC_A,
            "extract-2.0",
            "高新技术企业",
            3000.0,
            "家",
            ">",
            2025,
            None,
            None,
            None,
            EVIDENCE_A1,
            s,
            e,
            NEW,
        ),
    ]


def event_rows() -> list[tuple]:
    return [
        (
            "e-old-1",
            DOC_A,
            "extract-1.0",
            "2021",
            "year",
            "policy_release",
            "印发泉州市“十四五”科技创新发展规划",
            "泉州",
            TEXT_A.split("\n")[0],
            0,
            len(TEXT_A.split("\n")[0]),
            OLD,
        ),
        (
            "e-new-1",
            DOC_A,
            "extract-2.0",
            "2021-06",
            "month",
            "policy_release",
            "印发泉州市“十四五”科技创新发展规划",
            "泉州",
            TEXT_A.split("\n")[0],
            0,
            len(TEXT_A.split("\n")[0]),
            NEW,
        ),
        (
            "e-new-2",
            DOC_B,
            "extract-2.0",
            "2022-01-05",
            "day",
            "launch",
            "东海君两会云客厅正式启用",
            "泉州",
            EVIDENCE_B1,
            *span(TEXT_B, EVIDENCE_B1),
            NEW,
        ),
        (
            "e-new-3",
            DOC_B,
            "extract-2.0",
            "2022-01-05",
            "day",
            "signing",
            "泉州市2022年第一季度重大项目集中签约活动",
            "泉州",
            EVIDENCE_B4,
            *span(TEXT_B, EVIDENCE_B4),
            NEW,
        ),
    ]


def event_measure_rows() -> list[tuple]:
    return [
        ("e-new-3", 0, DOC_B, "extract-2.0", "签约项目", 53.0, "个"),
        ("e-new-3", 1, DOC_B, "extract-2.0", "总金额", 352.55, "亿元"),
    ]


def indicator_value_rows() -> list[tuple]:
    return [
        # extractor v1 (outdated): must not reach fct_indicator_values
        (
            "v-old-1", DOC_A, "extract-1.0", "高新技术企业", 1536.0, "家", "2020", "year",
            "level", None, EVIDENCE_A2, *span(TEXT_A, EVIDENCE_A2), OLD,
        ),
        # extractor v2 (current)
        (
            "v-new-1", DOC_A, "extract-2.0", "高新技术企业", 1536.0, "家", "2020", "year",
            "level", None, EVIDENCE_A2, *span(TEXT_A, EVIDENCE_A2), NEW,
        ),
        (
            "v-new-2", DOC_B, "extract-2.0", "地区生产总值", 2986.41, "亿元", "2021", "year",
            "level", "晋江", EVIDENCE_B2, *span(TEXT_B, EVIDENCE_B2), NEW,
        ),
        (
            "v-new-3", DOC_B, "extract-2.0", "地区生产总值", 8.5, "%", "2021", "year",
            "change", "晋江", EVIDENCE_B2, *span(TEXT_B, EVIDENCE_B2), NEW,
        ),
        # 1—11月 of the publication's previous year; 全市 = the document's region
        (
            "v-new-4", DOC_B, "extract-2.0", "规模以上工业增加值", 9.2, "%", "2021-11", "month",
            "change", None, EVIDENCE_B3, *span(TEXT_B, EVIDENCE_B3), NEW,
        ),
    ]  # fmt: skip


def extraction_rows() -> list[tuple]:
    return [
        (DOC_A, "extract-1.0", 1, 1, OLD),
        (DOC_A, "extract-2.0", 2, 1, NEW),
        (DOC_B, "extract-2.0", 0, 2, NEW),
    ]


def make_build_db(path: Path) -> Path:
    """Create a build database at ``path`` with the sample raw rows; closed on return."""
    con = connect(path)
    try:
        insert_rows(con, "raw.documents", DOC_COLUMNS, document_rows())
        insert_rows(con, "raw.ingest_log", LOG_COLUMNS, ingest_log_rows())
        insert_rows(con, "raw.extractions", EXTRACTION_COLUMNS, extraction_rows())
        insert_rows(con, "raw.target_mentions", TARGET_COLUMNS, target_rows())
        insert_rows(con, "raw.event_mentions", EVENT_COLUMNS, event_rows())
        insert_rows(
            con,
            "raw.event_measure_mentions",
            EVENT_MEASURE_COLUMNS,
            event_measure_rows(),
        )
        insert_rows(
            con,
            "raw.indicator_value_mentions",
            INDICATOR_VALUE_COLUMNS,
            indicator_value_rows(),
        )
    finally:
        con.close()
    return path


def execute(path: Path, sql: str, params: list | None = None) -> None:
    """Run one statement against the build database and close it again."""
    con = connect(path)
    try:
        con.execute(sql, params or [])
    finally:
        con.close()


def fetch(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Run one query against the build database (read-only) and return its rows."""
    con = connect(path, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
