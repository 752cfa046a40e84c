"""Load the demo parks, organisations, achievements, needs and scenarios; read its labelled pairs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from matchmaker.catalog.importer.apply import ImportReport
from matchmaker.catalog.importer.readers import RawRow, read_rows
from matchmaker.catalog.importer.service import import_rows

DATA_DIR = Path(__file__).parent / "data"
LOAD_ORDER = ("parks", "organisations", "achievements", "needs", "scenarios")


def demo_files(kind: str) -> list[Path]:
    """The demo files of one kind: the top-level file first, then each industry group's."""
    top = DATA_DIR / f"{kind}.jsonl"
    groups = sorted(DATA_DIR.glob(f"*/{kind}.jsonl"))
    return ([top] if top.exists() else []) + groups


def demo_rows(kind: str) -> list[RawRow]:
    """All demo rows of one kind, renumbered so error messages stay unambiguous."""
    rows: list[RawRow] = []
    for path in demo_files(kind):
        for raw in read_rows(path):
            rows.append(RawRow(len(rows) + 1, raw.cells))
    return rows


def load_demo(session: Session) -> dict[str, ImportReport]:
    """Import the whole demo set in one transaction (re-running updates, never duplicates)."""
    return {kind: import_rows(session, kind, demo_rows(kind)) for kind in LOAD_ORDER}


@dataclass(frozen=True)
class LabelledPair:
    """A pair written together with the demo items, marked good or bad, with a one-line why."""

    track: str
    source_kind: str
    source: str
    target_kind: str
    target: str
    label: str
    why: str

    @property
    def good(self) -> bool:
        """Whether the pair was written as a good match."""
        return self.label == "good"


def labelled_pairs() -> list[LabelledPair]:
    """Every labelled pair of the demo set."""
    pairs: list[LabelledPair] = []
    for path in sorted(DATA_DIR.glob("*/pairs.jsonl")):
        for raw in read_rows(path):
            c = raw.cells
            pairs.append(
                LabelledPair(
                    c["track"],
                    c["source_kind"],
                    c["source"],
                    c["target_kind"],
                    c["target"],
                    c["label"],
                    c.get("why", ""),
                )
            )
    return pairs
