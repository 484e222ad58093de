"""Turn decoded documents into clean main text plus metadata.

HTML (also HTML inside Markdown with front matter) goes through trafilatura;
Markdown is rendered and flattened to its block texts; plain text passes
through with navigation and sharing lines trimmed. Metadata comes from the
sidecar first, then front matter, then the page's own metadata, then labelled
dates in the text (发布时间, 成文日期, 【公布日期】…).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import frontmatter
import lxml.html
import trafilatura
import yaml
from markdown_it import MarkdownIt

from ingest import __version__
from ingest.encoding import repair_double_encoding
from ingest.regions import infer_region

EXTRACTOR_VERSION = f"ingest-{__version__}+trafilatura-{trafilatura.__version__}"

_HTML_TAG = re.compile(r"<(?:html|head|body|article|div|p|br|span|table|section|h[1-6]|meta|title)\b", re.IGNORECASE)
# Headings, bold runs and links: numbered or dashed lines alone are common in plain text.
_MARKDOWN_LINE = re.compile(r"^#{1,6}\s|(?<!\*)\*\*[^*\s][^*\n]*\*\*(?!\*)|\]\(https?:", re.MULTILINE)
_FRONT_MATTER = re.compile(r"\A\ufeff?---\s*\n.*?\n---\s*\n", re.DOTALL)

# Lines of site chrome in plain-text copies of pages: breadcrumbs, share bars,
# font-size switches, print/close links, editor credits.
_BOILERPLATE_LINE = re.compile(
    r"^\s*(?:当前位置|您的位置|首页\s*[>›»]|分享到|【?打印|【?关闭|关闭窗口|扫一扫|"
    r"【?字[体号]\s*[:：]|责任编辑\s*[:：]|编辑\s*[:：]|返回顶部|上一篇|下一篇|相关链接)"
)

_DATE_LABEL = r"(?:发布时间|发布日期|成文日期|公布日期|印发日期|发文日期|日期|时间)"
_LABELLED_DATE = re.compile(
    r"[【\[]?" + _DATE_LABEL + r"[】\]]?\s*[:：]?\s*"
    r"(?P<y>(?:19|20)\d\d)\s*(?:[-./年])\s*(?P<m>\d{1,2})(?:\s*(?:[-./月])\s*(?P<d>\d{1,2})\s*日?)?"
)
_PUBLISHER_META = re.compile(
    r"<meta\s+name=[\"'](?:ContentSource|source|publisher)[\"']\s+content=[\"']([^\"']{2,60})[\"']", re.IGNORECASE
)
_LABELLED_PUBLISHER = re.compile(r"[【\[]?(?:来源|制定机关|发布机构|发文机关)(?:[】\]]\s*[:：]?|\s*[:：])\s*([^\s•|，,]{2,40})")
_HEAD_CHARS = 2000  # labelled dates are looked for near the top only

# C0 controls other than tab and newlines (NUL above all) carry no text and make
# lxml refuse the document; they are dropped before cleaning, with a note.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# libxml2 stops building the tree 256 elements deep, so a page whose text sits
# deeper (5000 nested divs) comes out empty; such pages are flattened and retried.
_MAX_NESTING = 200
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)[^>]*?(/?)>")
# Elements that never hold others or are closed implicitly do not deepen the tree.
_FLAT_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "p", "li", "dt", "dd", "tr", "td", "th", "option",
}  # fmt: skip


@dataclass
class CleanDocument:
    content_format: str               # html | markdown | text
    clean_text: str
    title: str | None = None
    url: str | None = None
    publish_date: dt.date | None = None
    publish_date_precision: str | None = None  # day | month
    publisher: str | None = None
    region: str | None = None
    notes: list[str] = field(default_factory=list)


class EmptyDocumentError(ValueError):
    """Nothing of substance is left after cleaning."""


def parse_date(value: object) -> tuple[dt.date, str] | None:
    """Parse ``YYYY-MM-DD``/``YYYY-MM`` (or a datetime string starting so) into (date, precision)."""
    if isinstance(value, dt.datetime):
        return value.date(), "day"
    if isinstance(value, dt.date):
        return value, "day"
    if not isinstance(value, str):
        return None
    match = re.match(r"\s*((?:19|20)\d\d)[-./年](\d{1,2})(?:[-./月](\d{1,2}))?", value)
    if not match:
        return None
    year, month, day = int(match[1]), int(match[2]), match[3]
    try:
        if day is None:
            return dt.date(year, month, 1), "month"
        return dt.date(year, month, int(day)), "day"
    except ValueError:
        return None


def _split_front_matter(text: str, notes: list[str]) -> tuple[dict, str]:
    if not _FRONT_MATTER.match(text):
        return {}, text
    try:
        post = frontmatter.loads(text.lstrip("\ufeff"))
    except yaml.YAMLError as exc:
        notes.append(f"front matter is not valid YAML, ignored: {str(exc).splitlines()[0]}")
        return {}, _FRONT_MATTER.sub("", text, count=1)
    return dict(post.metadata), post.content


def _detect_format(body: str) -> str:
    if len(_HTML_TAG.findall(body[:20000])) >= 1:
        return "html"
    if _MARKDOWN_LINE.search(body):
        return "markdown"
    return "text"


def _flatten_deep_nesting(html: str) -> tuple[str, int]:
    """Drop the tags nested deeper than ``_MAX_NESTING`` (their text stays); (html, tags dropped)."""
    depth = dropped = 0
    parts: list[str] = []
    last = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if self_closing or name in _FLAT_ELEMENTS:
            continue
        if closing:
            too_deep = depth > _MAX_NESTING
            depth = max(depth - 1, 0)
        else:
            depth += 1
            too_deep = depth > _MAX_NESTING
        if too_deep:
            parts.append(html[last : match.start()])
            last = match.end()
            dropped += 1
    parts.append(html[last:])
    return "".join(parts), dropped


def _clean_html(html: str, title_hint: str | None, notes: list[str] | None = None) -> tuple[str, dict]:
    if not re.search(r"<(?:html|body)\b", html, re.IGNORECASE):
        # A fragment (HTML inside Markdown): give trafilatura a page to work on.
        title = f"<title>{title_hint}</title>" if title_hint else ""
        html = f"<html><head>{title}</head><body><article>{html}</article></body></html>"
    text, meta = _extract_html(html)
    if not text.strip():
        flat, dropped = _flatten_deep_nesting(html)
        if dropped:
            text, meta = _extract_html(flat)
            if notes is not None:
                notes.append(f"nesting deeper than {_MAX_NESTING} levels flattened ({dropped} tags dropped)")
    return text, meta


def _extract_html(html: str) -> tuple[str, dict]:
    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        favor_recall=True,
        include_tables=True,
        include_comments=False,
        deduplicate=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = doc.text if doc is not None and doc.text else ""
    if len(text.strip()) < 50:
        # Short pages fall under trafilatura's minimum size; its baseline keeps
        # every paragraph, which for a short notice is the notice.
        _, baseline_text, _ = trafilatura.baseline(html)
        if len(baseline_text.strip()) > len(text.strip()):
            text = baseline_text
    meta = {}
    if doc is not None:
        meta = {"title": doc.title, "url": doc.url, "publish_date": doc.date, "publisher": doc.sitename or None}
    if not meta.get("publisher") and (match := _PUBLISHER_META.search(html)):
        meta["publisher"] = match.group(1).strip()
    return text, meta


_markdown = MarkdownIt("commonmark", {"html": True})


def _clean_markdown(body: str) -> str:
    tree = lxml.html.fragment_fromstring(_markdown.render(body) or "<p></p>", create_parent="div")
    # Raw HTML passes through Markdown: scripts, styles and embeds are code, not text.
    for element in tree.xpath("//script|//style|//noscript|//template|//iframe|//object|//embed"):
        element.drop_tree()
    blocks = [" ".join(el.text_content().split()) for el in tree if isinstance(el.tag, str)]
    # Markdown emphasis next to CJK punctuation is not parsed by CommonMark; drop stray markers.
    return "\n".join(re.sub(r"\*\*|__", "", b) for b in blocks if b)


def _clean_text(body: str) -> str:
    lines = [line.strip() for line in body.splitlines()]
    kept = [line for line in lines if line and not _BOILERPLATE_LINE.match(line)]
    return "\n".join(kept)


def _first_heading(text: str) -> str | None:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:200] if len(line) <= 80 else None
    return None


def clean_document(text: str, metadata: dict | None = None) -> CleanDocument:
    """Clean decoded text; ``metadata`` (sidecar fields) wins over anything inferred."""
    metadata = dict(metadata or {})
    notes: list[str] = []
    text, controls = _CONTROL_CHARS.subn("", text)
    if controls:
        notes.append(f"{controls} control characters (NUL and the like) removed")
    if replaced := text.count("\ufffd"):
        notes.append(f"{replaced} undecodable byte sequences shown as U+FFFD")
    text, repaired = repair_double_encoding(text)
    if repaired:
        notes.append(f"double-encoded UTF-8 (mojibake) repaired in {repaired} places")
    front, body = _split_front_matter(text, notes)
    content_format = _detect_format(body)
    title_hint = metadata.get("title") or front.get("title")
    page_meta: dict = {}
    if content_format == "html":
        clean, page_meta = _clean_html(body, str(title_hint) if title_hint else None, notes)
    elif content_format == "markdown":
        clean = _clean_markdown(body)
    else:
        clean = _clean_text(body)
    # Site chrome that survives extraction (breadcrumbs, share bars) goes in every format.
    clean = _clean_text(clean)
    if not clean:
        raise EmptyDocumentError(f"no main text found in the {content_format} document")

    def first(*values):
        return next((v for v in values if v not in (None, "")), None)

    doc = CleanDocument(content_format=content_format, clean_text=clean, notes=notes)
    doc.title = first(metadata.get("title"), front.get("title"), page_meta.get("title"), _first_heading(clean))
    doc.url = first(metadata.get("url"), front.get("url"), front.get("link"), page_meta.get("url"))
    labelled_publisher = _LABELLED_PUBLISHER.search(body[:_HEAD_CHARS])
    doc.publisher = first(
        metadata.get("publisher"),
        front.get("publisher"),
        front.get("source"),
        page_meta.get("publisher"),
        labelled_publisher.group(1) if labelled_publisher else None,
    )
    if doc.title is not None:
        doc.title = str(doc.title).strip()

    for origin, value in (
        ("sidecar", metadata.get("publish_date")),
        ("front matter", first(front.get("publish_date"), front.get("date"))),
        ("page metadata", page_meta.get("publish_date")),
    ):
        if value in (None, ""):
            continue
        parsed = parse_date(value)
        if parsed is None:
            notes.append(f"{origin} publish_date {value!r} is not a valid date, ignored")
            continue
        doc.publish_date, doc.publish_date_precision = parsed
        break
    else:
        match = _LABELLED_DATE.search(body[:_HEAD_CHARS])
        if match:
            day = match["d"]
            parsed = parse_date(f"{match['y']}-{match['m']}" + (f"-{day}" if day else ""))
            if parsed:
                doc.publish_date, doc.publish_date_precision = parsed

    doc.region = first(metadata.get("region"), front.get("region"), infer_region(clean))
    return doc
