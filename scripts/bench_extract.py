"""Extraction speed over the sample corpus, repeated: prints characters per second on one core.

Usage: python scripts/bench_extract.py [--corpus corpus/sample] [--repeat 20]
The clean texts come from the real cleaning stage when ``ingest.pipeline`` is
available; cleaning time is not counted, only ``ingest.extract.extract``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.extract import extract


def load_documents(corpus: Path) -> list[tuple[str, object, object]]:
    try:
        from ingest.pipeline import prepare_corpus
    except ImportError:  # fall back to the raw files: slower patterns are still exercised
        return [(p.read_text("utf-8", errors="replace"), None, None) for p in sorted(corpus.glob("*.*"))]
    return [(d.clean_text, d.publish_date, d.publish_date_precision) for d in prepare_corpus(corpus)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus" / "sample")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    documents = load_documents(args.corpus)
    characters = sum(len(text) for text, _, _ in documents) * args.repeat
    for text, date, precision in documents:  # warm caches (OpenCC, regexes)
        extract(text, date, precision)
    started = time.perf_counter()
    for _ in range(args.repeat):
        for text, date, precision in documents:
            extract(text, date, precision)
    elapsed = time.perf_counter() - started
    print(f"{len(documents)} documents × {args.repeat}: {characters} characters in {elapsed:.3f} s "
          f"= {characters / elapsed:,.0f} characters/second")


if __name__ == "__main__":
    main()
