"""Generate the distractor corpus: python -m benchmarks.evalsets.colloquial.distractors.generate."""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

from .checks import (
    TEXT_FIELD,
    closest_demo,
    forbidden_hits,
    length_problems,
    near_duplicates,
    read_jsonl,
)
from .items import build_items
from .orgs import build_orgs
from .vocab_fields import UNRELATED_DOMAINS
from .vocab_nearmiss import NEAR_MISS_DOMAINS

HERE = Path(__file__).resolve().parent
EVALSET = HERE.parent
REPO = EVALSET.parents[2]
DEMO_DATA = REPO / "matchmaker" / "demo" / "data"
SEED = 20261203
COUNTS = (1300, 550, 150)
THRESHOLD = 0.55  # texts sharing more of their character bigrams with an earlier text are redrawn


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def demo_rows(kind: str) -> list[dict[str, object]]:
    """Demo rows of one kind, read straight from the package data (no project imports)."""
    files = [DEMO_DATA / f"{kind}.jsonl", *sorted(DEMO_DATA.glob(f"*/{kind}.jsonl"))]
    return [row for f in files if f.exists() for row in read_jsonl(f)]


def main(argv: list[str] | None = None) -> int:
    """Write corpus/*.jsonl and distractor-labels.jsonl, then print the checks; 1 if a check fails."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", type=Path, default=EVALSET / "corpus")
    ap.add_argument("--labels", type=Path, default=EVALSET / "distractor-labels.jsonl")
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    domains = (*UNRELATED_DOMAINS, *NEAR_MISS_DOMAINS)
    demo_names = {str(r["name"]) for r in demo_rows("organisations")}
    book = build_orgs(rng, domains, demo_names)
    built = build_items(rng, domains, book, COUNTS, THRESHOLD)
    rows = {
        "organisations": [o.row() for o in book.orgs],
        "achievements": built.achievements,
        "needs": built.needs,
        "scenarios": built.scenarios,
    }
    for kind, items in rows.items():
        _write(args.out / f"{kind}.jsonl", items)
    _write(args.labels, built.labels)

    texts = [(str(r["external_id"]), str(r[TEXT_FIELD[k]])) for k in TEXT_FIELD for r in rows[k]]
    demo = [
        (str(r["external_id"]), str(r[TEXT_FIELD[k]])) for k in TEXT_FIELD for r in demo_rows(k)
    ]
    dup = near_duplicates(texts)
    demo_best = closest_demo(texts, demo)
    hits, lengths = forbidden_hits(rows), length_problems(rows)
    print(f"wrote {args.out}: " + ", ".join(f"{k} {len(v)}" for k, v in rows.items()))
    print("organisation kinds:", dict(Counter(o.kind for o in book.orgs)))
    groups = Counter((lab["kind"], lab["group"]) for lab in built.labels)
    print("items per group:", {f"{k}/{g}": n for (k, g), n in sorted(groups.items())})
    print(f"draws rejected (too similar / wrong length / repeated title): {built.rejected}")
    print(
        f"near-duplicates: max bigram overlap {dup.max_overlap} ({dup.pair[0]} vs {dup.pair[1]}), "
        f"max Jaccard {dup.max_jaccard}, pairs over 0.60: {dup.over_60}; nearest-neighbour overlap "
        f"median {dup.median_nearest}, 99th percentile {dup.p99_nearest}"
    )
    print(f"closest demo text: overlap {demo_best[0]} ({demo_best[1]} vs {demo_best[2]})")
    print(f"forbidden-topic hits: {len(hits)}; length problems: {len(lengths)}")
    for line in (hits + lengths)[:30]:
        print("  ", line)
    return 1 if hits or lengths else 0


if __name__ == "__main__":
    sys.exit(main())
