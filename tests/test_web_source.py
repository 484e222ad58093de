"""The web source against a real HTTP server on loopback (trafilatura does the fetching)."""

from __future__ import annotations

from ingest.pipeline import ingest_inputs
from ingest.sources.web import FetchSettings, WebFetcher, iter_web
from ingest.warehouse import connect
from tests.html_pages import GOV_NOTICE, NEWS_PAGE

# Loopback is a private address: the test server is ours, so the guard is
# switched off explicitly, and no waiting between requests.
LOOPBACK = FetchSettings(allow_private_addresses=True, per_host_delay_seconds=0, retry_backoff_seconds=0, timeout_seconds=5)


def test_ssrf_guard_is_on_by_default_and_refuses_loopback(loopback_site):
    url = loopback_site.add("/notice.html", GOV_NOTICE)
    raw = WebFetcher(FetchSettings(per_host_delay_seconds=0, retry_backoff_seconds=0)).fetch(url)
    assert raw.data is None
    assert "SSRF" in raw.error
    assert loopback_site.requests == []


def test_fetches_a_page_whose_declared_charset_lies(loopback_site):
    # Declares gb2312 in the header and the meta tag; the bytes are UTF-8.
    url = loopback_site.add("/notice.html", GOV_NOTICE, content_type="text/html; charset=gb2312")
    raw = WebFetcher(LOOPBACK).fetch(url)
    assert raw.error is None
    assert raw.declared_charset == "gb2312"
    assert raw.url == url


def test_http_errors_are_reported_and_server_errors_retried(loopback_site):
    missing = loopback_site.base_url + "/missing.html"
    broken = loopback_site.add("/broken.html", "oops", status=503)
    fetcher = WebFetcher(LOOPBACK)
    assert fetcher.fetch(missing).error == "HTTP 404"
    assert loopback_site.requests.count("/missing.html") == 1  # a 404 is not retried
    result = fetcher.fetch(broken)
    assert result.data is None and result.error
    assert loopback_site.requests.count("/broken.html") >= 2


def test_oversized_bodies_are_refused(loopback_site):
    url = loopback_site.add("/huge.html", "<p>" + "泉州" * 50_000 + "</p>")
    raw = WebFetcher(FetchSettings(allow_private_addresses=True, per_host_delay_seconds=0, max_bytes=10_000)).fetch(url)
    assert raw.data is None
    assert "MAX_FILE_SIZE" in raw.error


def test_non_http_schemes_are_refused():
    assert "unsupported URL scheme" in WebFetcher(LOOPBACK).fetch("file:///etc/passwd").error


def test_feed_and_sitemap_discovery_then_load(loopback_site, tmp_path):
    news = loopback_site.add("/news/2023/jinjiang-conference.html", NEWS_PAGE)
    notice = loopback_site.add("/zwgk/2021/plan-notice.html", GOV_NOTICE.replace("charset=gb2312", "charset=utf-8"))
    base = loopback_site.base_url
    feed = loopback_site.add(
        "/feed.xml",
        f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>晋江新闻</title><link>{base}/</link>
<item><title>晋江召开科技创新大会</title><link>{news}</link></item>
</channel></rss>""",
        content_type="application/rss+xml",
    )
    sitemap = loopback_site.add(
        "/sitemap.xml",
        f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{notice}</loc></url><url><loc>{news}</loc></url>
</urlset>""",
        content_type="application/xml",
    )
    missing = base + "/gone.html"
    inputs = list(iter_web(urls=[missing], feeds=[feed], sitemaps=[sitemap], settings=LOOPBACK))
    assert sorted(raw.source_uri for raw in inputs) == sorted([missing, news, notice])

    build_db = tmp_path / "build.duckdb"
    summary = ingest_inputs(build_db, inputs)
    assert summary.as_dict()["loaded"] == 2 and summary.as_dict()["rejected"] == 1
    con = connect(build_db)
    try:
        docs = dict(con.execute("select source_uri, title from raw.documents").fetchall())
        log = dict(con.execute("select source_uri, reason from raw.ingest_log where outcome = 'rejected'").fetchall())
    finally:
        con.close()
    assert docs[news] == "晋江召开科技创新大会 签约项目23个"
    assert docs[notice].startswith("泉州市人民政府关于印发")
    assert log == {missing: "HTTP 404"}
