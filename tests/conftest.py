"""Shared fixtures: a real HTTP server on loopback serving canned responses."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE_CORPUS = PROJECT_DIR / "corpus" / "sample"
SAMPLE_GOLD = PROJECT_DIR / "corpus" / "sample.gold.json"


def publication(case: dict) -> tuple[dt.date | None, str | None]:
    """A labelled case's ``publish_date`` (YYYY-MM-DD or YYYY-MM) as extract() takes it."""
    value = case.get("publish_date")
    if not value:
        return None, None
    if len(value) == 7:
        return dt.date.fromisoformat(value + "-01"), "month"
    return dt.date.fromisoformat(value), "day"


class LoopbackSite:
    """Routes path → (status, headers, body); records every request path."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[str] = []
        self.base_url = ""

    def add(self, path: str, body: bytes | str, status: int = 200, content_type: str = "text/html") -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = (status, {"Content-Type": content_type}, data)
        return self.base_url + path


@pytest.fixture
def loopback_site():
    site = LoopbackSite()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            site.requests.append(self.path)
            status, headers, body = site.routes.get(self.path, (404, {"Content-Type": "text/plain"}, b"not found"))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
