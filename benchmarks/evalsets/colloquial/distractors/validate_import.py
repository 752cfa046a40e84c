"""Import demo parks/organisations plus the distractor corpus into a throwaway SQLite DB (no embedding).

Run with the project's interpreter: .venv/bin/python -m benchmarks.evalsets.colloquial.distractors.validate_import
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from matchmaker.catalog.importer.apply import ImportFailed
from matchmaker.catalog.importer.readers import read_rows
from matchmaker.catalog.importer.service import import_rows
from matchmaker.demo.loader import demo_rows
from matchmaker.store.db import make_engine, session_factory, upgrade

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
KINDS = ("organisations", "achievements", "needs", "scenarios")


def main(argv: list[str] | None = None) -> int:
    """Import everything in one transaction; print each report; 1 if any row has a problem."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", default="/tmp/distractors.db")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument(
        "--with-demo-items",
        action="store_true",
        help="also import the demo achievements, needs and scenarios first",
    )
    args = ap.parse_args(argv)
    db = Path(args.db)
    if db.exists():
        db.unlink()
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    failed = False
    demo_kinds = ("parks", "organisations") + (KINDS[1:] if args.with_demo_items else ())
    with session_factory(engine)() as session:
        for kind in demo_kinds:
            report = import_rows(session, kind, demo_rows(kind))
            print(f"demo {kind}: created {report.created}, problems {len(report.problems)}")
        for kind in KINDS:
            rows = read_rows(args.corpus / f"{kind}.jsonl")
            try:
                report = import_rows(session, kind, rows)
            except ImportFailed as exc:
                failed = True
                report = exc.report
            print(
                f"distractor {kind}: rows {len(rows)}, created {report.created}, "
                f"problems {len(report.problems)}, unknown columns {report.unknown_columns}"
            )
            for problem in report.problems[:20]:
                print("   ", problem)
            failed = failed or bool(report.problems) or bool(report.unknown_columns)
        session.commit()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
