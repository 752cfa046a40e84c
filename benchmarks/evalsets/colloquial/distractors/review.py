"""Lexical review against the colloquial queries: which distractors share most words with each query.

python -m benchmarks.evalsets.colloquial.distractors.review [--all]
For unanswerable queries it lists the closest distractors (these must not be real answers); for
answerable ones it flags distractors that out-score every expected demo item on shared bigrams.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .checks import TEXT_FIELD, read_jsonl
from .generate import EVALSET, demo_rows
from .textutil import bigrams

KIND_FILE = {"achievement": "achievements", "need": "needs", "scenario": "scenarios"}


def _doc(row: dict[str, object], kind: str) -> str:
    kws = row.get("keywords")
    words = " ".join(str(k) for k in kws) if isinstance(kws, list) else ""
    return f"{row['title']} {words} {row[TEXT_FIELD[kind]]}"


def coverage(query: frozenset[str], doc: frozenset[str]) -> float:
    """Share of the query's bigrams that occur in the document."""
    return len(query & doc) / len(query) if query else 0.0


def main(argv: list[str] | None = None) -> int:
    """Print the review; always exits 0 (it is for reading, not gating)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=EVALSET / "corpus")
    ap.add_argument("--all", action="store_true", help="list answerable queries that are fine, too")
    args = ap.parse_args(argv)
    queries = read_jsonl(EVALSET / "queries.jsonl")
    pools: dict[str, list[tuple[str, frozenset[str], str]]] = {}
    demo: dict[str, frozenset[str]] = {}
    for qkind, kind in KIND_FILE.items():
        rows = read_jsonl(args.corpus / f"{kind}.jsonl")
        pools[qkind] = [
            (str(r["external_id"]), bigrams(_doc(r, kind)), str(r["title"])) for r in rows
        ]
        for r in demo_rows(kind):
            demo[str(r["external_id"])] = bigrams(_doc(r, kind))
    flagged = 0
    for q in queries:
        qg = bigrams(str(q["text"]))
        ranked = sorted(
            ((coverage(qg, g), ext, title) for ext, g, title in pools[str(q["kind"])]), reverse=True
        )[:3]
        if not q["answerable"]:
            tops = "; ".join(f"{s:.2f} {e} {t}" for s, e, t in ranked)
            print(f"[no-answer] {q['_id']} {q['text']} → {tops}")
            continue
        expected = q.get("expected")
        ids = [str(e) for e in expected] if isinstance(expected, list) else []
        best_demo = max((coverage(qg, demo[e]) for e in ids if e in demo), default=0.0)
        if ranked and ranked[0][0] > best_demo:
            flagged += 1
            s, e, t = ranked[0]
            print(f"[outscored] {q['_id']} {q['text']} | demo {best_demo:.2f} < {s:.2f} {e} {t}")
        elif args.all:
            print(f"[ok] {q['_id']} {q['text']} | demo {best_demo:.2f} ≥ {ranked[0][0]:.2f}")
    print(
        f"answerable queries where a distractor shares more query bigrams than the expected items: {flagged}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
