"""Write a synthetic corpus of Chinese policy documents and its gold file.

Usage: python scripts/generate_corpus.py --out /tmp/corpus --documents 10000 [--seed 0]
The gold file (policy-gold/1) is written beside the folder as <out>.gold.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.synthetic import generate_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="corpus folder to write (created if missing)",
    )
    parser.add_argument(
        "--documents", type=int, required=True, help="number of files to write"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="same seed, same bytes (default 0)"
    )
    parser.add_argument(
        "--duplicate-share",
        type=float,
        default=0.03,
        help="exact duplicates (default 0.03)",
    )
    parser.add_argument(
        "--gbk-share",
        type=float,
        default=0.2,
        help="files encoded in GBK (default 0.2)",
    )
    parser.add_argument(
        "--first-index",
        type=int,
        default=0,
        help="number files from here (to add a later batch)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    gold = generate_corpus(
        args.out, args.documents, seed=args.seed, duplicate_share=args.duplicate_share,
        gbk_share=args.gbk_share, first_index=args.first_index,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    print(
        f"{args.documents} documents in {args.out} ({args.documents / elapsed:,.0f}/s); gold: {gold}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
