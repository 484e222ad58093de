"""The web source: a list of URLs, an RSS/Atom feed or a sitemap, fetched with trafilatura.

trafilatura does the HTTP (timeouts, size cap, redirect cap, its SSRF guard
against private and loopback addresses) and the feed/sitemap discovery; this
module adds retries, a polite delay per host, and a clear reason for every
URL that could not be fetched, so the loader can record it.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from configparser import ConfigParser
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from lxml import etree
from trafilatura.downloads import fetch_response
from trafilatura.feeds import (
    FeedParameters,
    find_feed_urls,
    find_links,
    is_potential_feed,
)
from trafilatura.settings import DEFAULT_CONFIG
from trafilatura.sitemaps import sitemap_search
from trafilatura.utils import Response

from ingest import __version__
from ingest.sources import RawInput

_CHARSET = re.compile(r"charset=([\w.:-]+)", re.IGNORECASE)
_SITEMAP_LINK = re.compile(r"sitemap[^/]*\.xml(?:\.gz)?$|\.xml$", re.IGNORECASE)
MAX_SITEMAP_DEPTH = 2


@dataclass(frozen=True)
class FetchSettings:
    timeout_seconds: int = 30
    max_bytes: int = 20_000_000
    max_redirects: int = 2
    total_timeout_seconds: float = 120  # wall-clock cap per request: a slow drip never trips a read timeout
    attempts: int = 3                # tries per URL for failures that may pass (no answer, 5xx, 429)
    retry_backoff_seconds: float = 2.0
    per_host_delay_seconds: float = 2.0
    # trafilatura's SSRF guard refuses private, loopback and link-local
    # addresses. Only switch it off for a server you run yourself (tests).
    allow_private_addresses: bool = False
    respect_robots_txt: bool = True
    user_agent: str = f"policy-warehouse/{__version__}"

    def trafilatura_config(self) -> ConfigParser:
        config = ConfigParser()
        config.read_dict({section: dict(DEFAULT_CONFIG[section]) for section in DEFAULT_CONFIG})
        config["DEFAULT"].update(
            DOWNLOAD_TIMEOUT=str(self.timeout_seconds),
            MAX_FILE_SIZE=str(self.max_bytes),
            MAX_REDIRECTS=str(self.max_redirects),
            SLEEP_TIME=str(self.per_host_delay_seconds),
            SSRF_PROTECTION="off" if self.allow_private_addresses else "on",
            USER_AGENTS=self.user_agent,
        )
        return config


class _ErrorCapture(logging.Handler):
    """trafilatura logs why a download failed and returns None; keep the message.

    Only records of one thread count: an abandoned request (past the wall-clock
    cap) may still log its failure later, and that must not become the reason
    recorded for another URL.
    """

    def __init__(self, thread: threading.Thread) -> None:
        super().__init__(logging.WARNING)
        self.thread = thread
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread.ident:
            self.messages.append(record.getMessage())


class WebFetcher:
    def __init__(self, settings: FetchSettings | None = None, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings or FetchSettings()
        self.config = self.settings.trafilatura_config()
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser | None] = {}
        self._sleep = sleep

    def _wait_for_host(self, url: str) -> None:
        host = urlsplit(url).netloc
        last = self._last_request.get(host)
        if last is not None:
            wait = self.settings.per_host_delay_seconds - (time.monotonic() - last)
            if wait > 0:
                self._sleep(wait)
        self._last_request[host] = time.monotonic()

    def _get(self, url: str) -> tuple[Response | None, str]:
        """One request through trafilatura, under a wall-clock cap; (response, why it failed)."""
        logger = logging.getLogger("trafilatura.downloads")
        outcome: list[Response | None] = []
        worker = threading.Thread(
            target=lambda: outcome.append(fetch_response(url, decode=False, config=self.config)), daemon=True
        )
        capture = _ErrorCapture(worker)
        logger.addHandler(capture)
        try:
            worker.start()
            # A request still running past the cap is abandoned; trafilatura's
            # read timeout and size cap end it in the background.
            worker.join(self.settings.total_timeout_seconds)
        finally:
            logger.removeHandler(capture)
        if worker.is_alive():
            return None, f"timed out after {self.settings.total_timeout_seconds:g} s (slow or endless response)"
        detail = capture.messages[-1] if capture.messages else "no response"
        return (outcome[0] if outcome else None), detail

    def allowed_by_robots(self, url: str) -> bool:
        """What the site's robots.txt says of ``url`` for our user agent (no robots.txt: allowed)."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self._robots:
            self._wait_for_host(url)
            response, _ = self._get(site + "/robots.txt")
            parser = None
            if response is not None and response.status == 200 and response.data:
                parser = RobotFileParser()
                parser.parse(response.data.decode("utf-8", errors="replace").splitlines())
            self._robots[site] = parser
        parser = self._robots[site]
        return parser is None or parser.can_fetch(self.settings.user_agent, url)

    def fetch(self, url: str) -> RawInput:
        """Fetch one URL; failures come back as a ``RawInput`` with ``error`` set."""
        if urlsplit(url).scheme not in {"http", "https"}:
            return RawInput(url, error=f"unsupported URL scheme (only http and https): {url}")
        if self.settings.respect_robots_txt and not self.allowed_by_robots(url):
            return RawInput(url, error="disallowed by the site's robots.txt")
        error = "no response"
        for attempt in range(1, self.settings.attempts + 1):
            self._wait_for_host(url)
            response, detail = self._get(url)
            if response is not None and response.status == 200 and response.data:
                content_type = response.headers.get("content-type", "") if response.headers else ""
                charset = _CHARSET.search(content_type)
                return RawInput(
                    source_uri=url,
                    data=response.data,
                    url=response.url or url,
                    declared_charset=charset.group(1) if charset else None,
                )
            if response is not None:
                error = f"HTTP {response.status}" if response.status != 200 else "empty response body"
                retryable = response.status == 429 or response.status >= 500
            else:
                error = detail if detail.startswith("timed out") else f"download failed: {detail}"
                # Blocked addresses, oversized bodies and endless responses will not change on a retry.
                retryable = not any(s in detail for s in ("SSRF", "MAX_FILE_SIZE", "timed out"))
            if not retryable or attempt == self.settings.attempts:
                break
            self._sleep(self.settings.retry_backoff_seconds * attempt)
        return RawInput(url, error=error)

    def discover(self, url: str, kind: str, _depth: int = 0) -> list[str]:
        """Article URLs listed by a feed (``kind='feed'``) or a sitemap (``'sitemap'``).

        The listing itself is fetched like any page (same guard, caps and
        retries) and parsed with trafilatura's feed parser or as sitemap XML.
        A URL that is no listing (a homepage) goes to trafilatura's discovery,
        which looks for the site's feeds, robots.txt and sitemaps.
        """
        if kind not in {"feed", "sitemap"}:
            raise ValueError(f"unknown listing kind {kind!r}: expected 'feed' or 'sitemap'")
        listing = self.fetch(url)
        text = listing.data.decode("utf-8", errors="replace").strip() if listing.data else ""
        links: list[str] = []
        if kind == "feed" and is_potential_feed(text):
            links = find_links(text, FeedParameters(url, urlsplit(url).netloc, url))
        elif kind == "sitemap" and ("<urlset" in text or "<sitemapindex" in text):
            for loc in _sitemap_locations(text):
                if _SITEMAP_LINK.search(loc) and _depth < MAX_SITEMAP_DEPTH:
                    links.extend(self.discover(urljoin(url, loc), "sitemap", _depth + 1))
                else:
                    links.append(loc)
        elif listing.error is None:
            search = find_feed_urls if kind == "feed" else sitemap_search
            return search(url, config=self.config, sleep_time=self.settings.per_host_delay_seconds)
        host = urlsplit(url).netloc
        absolute = (urlsplit(urljoin(url, link)) for link in links)
        # Same site only; the site's home page (an RSS channel's own <link>) is no article.
        return [
            link.geturl()
            for link in absolute
            if link.scheme in {"http", "https"} and link.netloc == host and link.path.strip("/")
        ]


def _sitemap_locations(xml: str) -> list[str]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        tree = etree.fromstring(xml.encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return []
    if tree is None:
        return []
    return [el.text.strip() for el in tree.iter("{*}loc") if el.text and el.text.strip()]


def discover_all(
    fetcher: WebFetcher, feeds: Iterable[str] = (), sitemaps: Iterable[str] = ()
) -> tuple[list[str], list[RawInput]]:
    """Article URLs of every feed and sitemap, and a rejected input per listing that gave none."""
    found_urls: list[str] = []
    failed: list[RawInput] = []
    for kind, listings in (("feed", feeds), ("sitemap", sitemaps)):
        for listing in listings:
            found = fetcher.discover(listing, kind)
            if not found:
                failed.append(RawInput(listing, error=f"the {kind} listed no article URLs (or could not be fetched)"))
            found_urls.extend(found)
    return found_urls, failed


def iter_web(
    urls: Iterable[str] = (),
    feeds: Iterable[str] = (),
    sitemaps: Iterable[str] = (),
    settings: FetchSettings | None = None,
) -> Iterator[RawInput]:
    """Fetch every listed URL and every article a feed or sitemap lists, each once."""
    fetcher = WebFetcher(settings)
    found, failed = discover_all(fetcher, feeds, sitemaps)
    yield from failed
    for url in dict.fromkeys([*urls, *found]):
        yield fetcher.fetch(url)
