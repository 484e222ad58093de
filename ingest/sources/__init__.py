"""Where documents come from: a corpus folder or the web.

Every source yields ``RawInput`` records, one per input it saw, including the
ones it could not read (``error`` set), so that the loader can log each input's
outcome and nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RawInput:
    source_uri: str                      # file:///… for the folder source, the fetched URL for the web
    data: bytes | None = None            # None when the input could not be read
    error: str | None = None             # why it could not be read (rejected with this reason)
    url: str | None = None               # the article's own URL when known
    declared_charset: str | None = None  # from an HTTP header; a hint only, never trusted blindly
    metadata: dict = field(default_factory=dict)  # sidecar / feed metadata: url, title, publish_date, …
    notes: list[str] = field(default_factory=list)  # warnings recorded with the outcome
    fingerprint: str | None = None       # size and mtime of a file: unchanged inputs are not read again
