"""Folder source, encoding detection and cleaning on real bytes and real trafilatura."""

from __future__ import annotations

import datetime as dt
import json
import os

import opencc
import pytest

from ingest.clean import clean_document
from ingest.encoding import UndecodableError, decode_bytes
from ingest.normalize import normalize_for_extraction
from ingest.pipeline import RejectedInput, prepare
from ingest.sources.folder import (
    fingerprint,
    iter_folder,
    list_documents,
    list_fingerprints,
)
from tests.conftest import SAMPLE_CORPUS
from tests.html_pages import GOV_NOTICE, NEWS_PAGE

SAMPLE_TEXT = (SAMPLE_CORPUS / "002_89b93b1258601894.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8"])
def test_decodes_simplified_chinese_without_a_declared_charset(encoding):
    text, detected = decode_bytes(SAMPLE_TEXT.encode(encoding))
    assert text == SAMPLE_TEXT
    assert detected in {"gb18030", "utf-8"}


def test_decodes_big5_traditional_text():
    traditional = opencc.OpenCC("s2t").convert(SAMPLE_TEXT[:400])
    text, detected = decode_bytes(traditional.encode("big5", errors="ignore"))
    assert detected.startswith("big5")
    assert "晉江" in text


def test_a_gb2312_declaration_on_utf8_bytes_is_not_trusted():
    text, detected = decode_bytes(GOV_NOTICE.encode("utf-8"), declared="gb2312")
    assert detected == "utf-8"
    assert "全社会研发经费投入" in text


def test_byte_order_mark_wins_and_is_removed():
    text, detected = decode_bytes("\ufeff泉州".encode("utf-8"))
    assert (text, detected) == ("泉州", "utf-8")


@pytest.mark.parametrize(
    ("data", "kind"),
    [(b"%PDF-1.7\n%\xe2\xe3", "PDF"), (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"), (b"PK\x03\x04\x14\x00", "zip")],
)
def test_binary_files_named_html_are_refused_with_their_kind(data, kind):
    with pytest.raises(UndecodableError, match=kind):
        decode_bytes(data)


def test_gov_notice_html_is_cleaned_of_site_chrome_and_keeps_its_metadata():
    doc = clean_document(GOV_NOTICE)
    assert doc.content_format == "html"
    assert "全社会研发经费投入达到360亿元" in doc.clean_text
    for chrome in ("当前位置", "版权所有", "互动交流", "_hmt"):
        assert chrome not in doc.clean_text
    assert doc.title.startswith("泉州市人民政府关于印发")
    assert doc.publish_date == dt.date(2021, 11, 5)
    assert doc.publisher == "泉州市人民政府办公室"
    assert doc.region == "泉州"


def test_news_page_drops_navigation_and_sidebar():
    doc = clean_document(NEWS_PAGE)
    assert "签约项目23个" in doc.clean_text
    assert "马拉松" not in doc.clean_text and "天气预报" not in doc.clean_text
    assert doc.publish_date == dt.date(2023, 3, 15)


def test_html_inside_markdown_with_front_matter():
    doc = clean_document((SAMPLE_CORPUS / "000_0652180e7bb4ae72.txt").read_text(encoding="utf-8"))
    assert doc.content_format == "html"
    assert doc.title == "让创新成为高质量发展“最大增量”"
    assert (doc.publish_date, doc.publish_date_precision) == (dt.date(2022, 1, 6), "day")
    assert "<p>" not in doc.clean_text and "layout: post" not in doc.clean_text
    assert doc.clean_text.startswith("作为泉州晚报社")


def test_markdown_headings_become_plain_lines():
    doc = clean_document((SAMPLE_CORPUS / "001_2d37430178cf543c.txt").read_text(encoding="utf-8"))
    assert doc.content_format == "markdown"
    assert doc.clean_text.splitlines()[0] == "聚焦省政协2024年度首场专题议政性常委会会议"
    assert "#" not in doc.clean_text and "**" not in doc.clean_text
    assert doc.publish_date is None


def test_plain_text_trims_breadcrumbs_and_reads_labelled_dates():
    doc = clean_document(SAMPLE_TEXT)
    assert doc.content_format == "text"
    assert "当前位置" not in doc.clean_text
    assert doc.publish_date == dt.date(2024, 7, 28)
    assert doc.region == "晋江"
    policy = clean_document((SAMPLE_CORPUS / "004_add28f564af750b4.txt").read_text(encoding="utf-8"))
    assert (policy.publish_date, policy.publish_date_precision) == (dt.date(2016, 6, 1), "month")
    assert policy.publisher == "泉州市人民政府办公室"


def test_broken_front_matter_is_noted_and_the_body_still_loads():
    doc = clean_document("---\ntitle: [unclosed\n---\n泉州市科技局发布通知，到2025年建成创新平台50家。\n")
    assert any("front matter" in note for note in doc.notes)
    assert doc.clean_text.startswith("泉州市科技局")


def test_sidecar_metadata_wins_and_invalid_dates_are_noted(tmp_path):
    (tmp_path / "a.html").write_bytes(NEWS_PAGE.encode("gbk"))
    (tmp_path / "a.meta.json").write_text(
        json.dumps({"url": "https://example.org/a", "title": "边车标题", "publish_date": "2023-03", "region": "泉州"}),
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text("泉州市科技局召开会议，部署2024年科技创新重点工作，要求各县区抓好落实。", encoding="utf-8")
    (tmp_path / "b.meta.json").write_text(json.dumps({"publish_date": "2023-13-45"}), encoding="utf-8")
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF")
    inputs = {raw.source_uri.rsplit("/", 1)[-1]: raw for raw in iter_folder(tmp_path)}
    assert set(inputs) == {"a.html", "b.txt"}
    a = prepare(inputs["a.html"])
    assert a.encoding == "gb18030"
    assert (a.clean.url, a.clean.title, a.clean.region) == ("https://example.org/a", "边车标题", "泉州")
    assert (a.publish_date, a.publish_date_precision) == (dt.date(2023, 3, 1), "month")
    b = prepare(inputs["b.txt"])
    assert b.publish_date is None
    assert any("2023-13-45" in note for note in b.notes)


def test_symlink_out_of_the_corpus_is_refused(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("秘密文件" * 20, encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "link.txt").symlink_to(outside)
    [raw] = list(iter_folder(corpus))
    with pytest.raises(RejectedInput, match="escapes the corpus folder"):
        prepare(raw)


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b"  \n\t ", "empty"), (b"<html><script>var a=1;</script></html>", "no main text"),
     (b"<html><body><p>" + b"This page is written in English only. " * 20 + b"</p></body></html>", "not a Chinese")],
)  # fmt: skip
def test_unusable_inputs_are_rejected_with_a_reason(tmp_path, content, reason):
    (tmp_path / "x.html").write_bytes(content)
    [raw] = list(iter_folder(tmp_path))
    with pytest.raises(RejectedInput, match=reason):
        prepare(raw)


def test_normalisation_keeps_length_and_folds_width_and_script():
    text = "泉州國家高新區：到２０２５年研發投入達３６０億元（約）"
    normalised = normalize_for_extraction(text)
    assert len(normalised) == len(text)
    assert normalised == "泉州国家高新区:到2025年研发投入达360亿元(约)"


# --- hostile inputs (see also tests/test_reliability.py) ---

NOTICE = "泉州市科技局发布通知：到2025年，全市研发经费投入达到360亿元，高新技术企业数量突破3500家，各县区要抓好落实。"


def test_mostly_utf8_with_a_few_broken_bytes_stays_utf8_and_is_noted():
    data = NOTICE.encode("utf-8")
    cut = data.index("研发".encode())
    text, detected = decode_bytes(data[:cut] + b"\xff\xfe" + data[cut:])
    assert detected == "utf-8"
    assert "研发经费" in text and "\ufffd" in text
    assert any("U+FFFD" in note for note in clean_document(text).notes)


def test_gbk_and_big5_are_not_mistaken_for_broken_utf8():
    assert decode_bytes(NOTICE.encode("gbk"))[1] == "gb18030"
    traditional = opencc.OpenCC("s2t").convert(NOTICE)
    assert decode_bytes(traditional.encode("big5"))[1].startswith("big5")


def test_stray_nul_bytes_are_removed_with_a_note_but_binary_is_refused():
    text, _ = decode_bytes(NOTICE[:10].encode() + b"\x00\x00" + NOTICE[10:].encode())
    doc = clean_document(text)
    assert "\x00" not in doc.clean_text and "研发经费" in doc.clean_text
    assert any("control characters" in note for note in doc.notes)
    with pytest.raises(UndecodableError, match="NUL"):
        decode_bytes(b"\x00\x01\x02\x03" * 200)


def test_double_encoded_utf8_is_repaired():
    mojibake = NOTICE.encode("utf-8").decode("latin-1")
    doc = clean_document(mojibake)
    assert doc.clean_text == NOTICE
    assert any("mojibake" in note for note in doc.notes)
    assert clean_document("Café crème: 泉州市科技局发布通知。").clean_text == "Café crème: 泉州市科技局发布通知。"


def test_deeply_nested_html_still_yields_its_text():
    html = "<html><body>" + "<div>" * 5000 + f"<p>{NOTICE}</p>" + "</div>" * 5000 + "</body></html>"
    doc = clean_document(html)
    assert "研发经费投入" in doc.clean_text
    assert any("nesting" in note for note in doc.notes)


def test_scripts_inside_markdown_are_dropped():
    doc = clean_document(f"# 通知\n\n<script>alert('x')</script>\n\n{NOTICE}\n")
    assert "alert" not in doc.clean_text and "研发经费" in doc.clean_text


def test_non_regular_files_are_rejected_without_blocking(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.html")
    (tmp_path / "folder.html").mkdir()
    reasons = {raw.source_uri.rsplit("/", 1)[-1]: raw.error for raw in iter_folder(tmp_path)}
    assert reasons == {
        "folder.html": "unreadable: not a regular file (a directory)",
        "pipe.html": "unreadable: not a regular file (a named pipe)",
    }


def test_a_sidecar_symlinked_out_of_the_corpus_is_not_read(tmp_path):
    outside = tmp_path / "outside.meta.json"
    outside.write_text(json.dumps({"title": "外部标题"}), encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(NOTICE, encoding="utf-8")
    (corpus / "a.meta.json").symlink_to(outside)
    [raw] = list(iter_folder(corpus))
    assert raw.metadata == {}
    assert any("escapes the corpus folder" in note for note in raw.notes)


def test_files_over_the_cap_are_rejected_unread(tmp_path, monkeypatch):
    from ingest.sources import folder

    monkeypatch.setattr(folder, "MAX_FILE_BYTES", 100)
    (tmp_path / "big.txt").write_text(NOTICE * 10, encoding="utf-8")
    [raw] = list(iter_folder(tmp_path))
    assert raw.data is None and "too large" in raw.error


def test_planning_fingerprints_match_those_taken_when_a_file_is_read(tmp_path):
    # The planner takes sidecars from one listing instead of probing for each
    # file; the fingerprints must be the ones read_document records, or every
    # run would read unchanged files again (or skip changed ones).
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "a.html").write_text("<p>a</p>", encoding="utf-8")
    (tmp_path / "a.meta.json").write_text("{}", encoding="utf-8")  # stem-style sidecar
    (tmp_path / "sub" / "b.txt").write_text("b", encoding="utf-8")
    (tmp_path / "sub" / "b.txt.meta.json").write_text('{"title": "b"}', encoding="utf-8")  # name-style
    (tmp_path / "sub" / "deeper" / "c.md").write_text("# c", encoding="utf-8")
    (tmp_path / "sub" / "deeper" / "c.meta.json").mkdir()  # a folder, not a sidecar
    (tmp_path / "folder.html").mkdir()  # listed, so that reading it is rejected with a reason
    (tmp_path / "notes.docx").write_text("not a document type", encoding="utf-8")
    # Listed beside documents, but no sidecar files: a dangling link shadowing a
    # real name-style sidecar, and a named pipe.
    (tmp_path / "d.html").write_text("<p>d</p>", encoding="utf-8")
    (tmp_path / "d.meta.json").symlink_to(tmp_path / "gone.json")
    (tmp_path / "d.html.meta.json").write_text("{}", encoding="utf-8")
    (tmp_path / "e.txt").write_text("e", encoding="utf-8")
    os.mkfifo(tmp_path / "e.meta.json")

    listed = list(list_fingerprints(tmp_path))

    assert [p.relative_to(tmp_path).as_posix() for p, _ in listed] == [
        "a.html", "d.html", "e.txt", "folder.html", "sub/b.txt", "sub/deeper/c.md",
    ]  # fmt: skip
    assert [p for p, _ in listed] == list_documents(tmp_path)
    assert listed == [(p, fingerprint(p)) for p in list_documents(tmp_path)]
    with_sidecar = dict(listed)
    assert with_sidecar[tmp_path / "a.html"].count("/") == 1
    assert with_sidecar[tmp_path / "sub" / "b.txt"].count("/") == 1
    assert with_sidecar[tmp_path / "sub" / "deeper" / "c.md"].count("/") == 0
    assert with_sidecar[tmp_path / "d.html"].count("/") == 1  # the name-style one
    assert with_sidecar[tmp_path / "e.txt"].count("/") == 0
