"""`matchmaker eval --colloquial`: the shipped search on the project's real-language set.

The demo data plus the 2,000-item distractor corpus (`benchmarks/evalsets/colloquial/corpus`) are
imported into a temporary database through the product's importer, indexed by a container of
their own, and every query of `queries.jsonl` goes through `SearchService.search` with its kind,
exactly as the API and the web page call it. Grades: an item listed in `expected` is grade 2, an
optional `grades` map ({external id: 0/1/2}) adds graded judgements, anything else is 0.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core.metrics import ndcg_at, reciprocal_rank
from matchmaker.retrieval.calibration import Calibrator, fit_calibrator
from matchmaker.retrieval.embed import Embedder, EmbeddingCache
from matchmaker.retrieval.index.records import Hit
from matchmaker.retrieval.query import clean_query
from matchmaker.retrieval.search import SearchRequest, SearchResult, SearchService
from matchmaker.retrieval.understand import Switches

CORPUS_KINDS = ("organisations", "achievements", "needs", "scenarios")
DEPTH = 10  # ranked items kept per query
COLLOQUIAL_KEYS = (
    "ndcg@5",
    "ndcg@10",
    "mrr@10",
    "grade2@5",
    "no_answer_said_none",
    "answerable_said_none",
    "en_ndcg@5",
)


class EvalSetError(ValueError):
    """The evaluation set cannot be read (missing file, bad line); the message names it."""


@dataclass(frozen=True)
class EvalQuery:
    """One judged query of the set."""

    id: str
    text: str
    kind: str
    lang: str
    style: str
    answerable: bool
    grades: dict[str, int] = field(default_factory=dict)  # external id -> 1 or 2
    judged: dict[str, int] = field(default_factory=dict)  # every judgement, grade 0 included
    scored: bool = True  # counted in the metrics (False: a feedback query with no useful item)


def default_set_dir() -> Path:
    """The colloquial set kept in the repository (benchmarks/evalsets/colloquial)."""
    return Path(__file__).resolve().parents[2] / "benchmarks" / "evalsets" / "colloquial"


def load_queries(folder: Path) -> list[EvalQuery]:
    """Read queries.jsonl; `expected` ids are grade 2, `grades` may add 0/1/2 judgements."""
    path = folder / "queries.jsonl"
    if not path.is_file():
        raise EvalSetError(f"缺少文件 / missing file: {path}")
    out: list[EvalQuery] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            grades = {str(d): 2 for d in raw.get("expected", [])}
            grades.update({str(d): int(g) for d, g in (raw.get("grades") or {}).items()})
            out.append(
                EvalQuery(
                    id=str(raw["_id"]),
                    text=str(raw["text"]),
                    kind=str(raw.get("kind", "achievement")),
                    lang=str(raw.get("lang", "zh")),
                    style=str(raw.get("style", "")),
                    answerable=bool(raw["answerable"]),
                    grades={d: g for d, g in grades.items() if g > 0},
                    judged=grades,
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise EvalSetError(
                f"{path} 第 {number} 行无效 / line {number} is invalid: {exc}"
            ) from exc
    return out


@dataclass
class Corpus:
    """The demo plus distractors as the product holds them, and item (kind, id) -> external id."""

    service: SearchService
    session: Session
    external: dict[tuple[str, int], str]
    cache: EmbeddingCache | None


def _import_all(session: Session, folder: Path) -> None:
    from matchmaker.catalog.importer.readers import read_rows
    from matchmaker.catalog.importer.service import import_rows
    from matchmaker.demo.loader import load_demo

    load_demo(session)
    for kind in CORPUS_KINDS:
        path = folder / "corpus" / f"{kind}.jsonl"
        if not path.is_file():
            raise EvalSetError(f"缺少文件 / missing file: {path}")
        import_rows(session, kind, read_rows(path))


def _external_ids(session: Session) -> dict[tuple[str, int], str]:
    from matchmaker.store.models import ITEM_MODELS

    out: dict[tuple[str, int], str] = {}
    for kind, model in ITEM_MODELS.items():
        for item_id, external in session.execute(select(model.id, model.external_id)):
            out[(kind, int(item_id))] = str(external)
    return out


@contextmanager
def colloquial_corpus(
    folder: Path,
    embedder_factory: Callable[[], Embedder] | None = None,
    cache_dir: Path | None = None,
) -> Iterator[Corpus]:
    """Demo + distractors imported into a temporary database and indexed by their own container."""
    from matchmaker.core.config import Settings
    from matchmaker.core.container import Container
    from matchmaker.retrieval.evaluate import _open_cache, default_cache_dir
    from matchmaker.store.db import make_engine, session_scope, upgrade

    if embedder_factory is None:
        from matchmaker.retrieval.embed import get_embedder

        embedder = get_embedder()
    else:
        embedder = embedder_factory()
    cache = _open_cache(cache_dir or default_cache_dir() / "embeddings")
    with tempfile.TemporaryDirectory(prefix="matchmaker-colloquial-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'eval.db'}")
        try:
            upgrade(engine)
            with session_scope(engine) as session:
                _import_all(session, folder)
            settings = Settings.model_validate({"MATCHMAKER_DATA_DIR": tmp})
            container = Container(settings, engine=engine, embedder=embedder, embedding_cache=cache)
            service = container.search
            with session_scope(engine) as session:
                yield Corpus(service, session, _external_ids(session), cache)
        finally:
            engine.dispose()


@dataclass
class QueryRun:
    """One query's result as a user would see it: ranked external ids, hits, and the verdict."""

    query: EvalQuery
    ranked: list[str]
    hits: list[Hit]
    no_good_match: bool
    result: SearchResult | None = None


def run_queries(corpus: Corpus, queries: list[EvalQuery], depth: int = DEPTH) -> list[QueryRun]:
    """Every query through `SearchService.search` with its kind (no explanations)."""
    corpus.service.warm_queries([q.text for q in queries], corpus.cache)
    runs: list[QueryRun] = []
    for query in queries:
        request = SearchRequest(query=query.text, kind=query.kind, limit=depth, explain=False)
        found = corpus.service.search(corpus.session, request)
        ranked = [corpus.external[(h.kind, h.id)] for h in found.hits]
        runs.append(QueryRun(query, ranked, list(found.hits), found.no_good_match, found))
    return runs


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


def summarise(runs: list[QueryRun]) -> dict[str, Any]:
    """The set's metrics: graded ranking on answerable queries, and the no-answer verdicts."""
    runs = [r for r in runs if r.query.scored]
    answerable = [r for r in runs if r.query.answerable]
    unanswerable = [r for r in runs if not r.query.answerable]
    english = [r for r in answerable if r.query.lang == "en"]
    result: dict[str, Any] = {
        "ndcg@5": _mean([ndcg_at(r.ranked, r.query.grades, 5) for r in answerable]),
        "ndcg@10": _mean([ndcg_at(r.ranked, r.query.grades, 10) for r in answerable]),
        "mrr@10": _mean([reciprocal_rank(r.ranked, r.query.grades, 10) for r in answerable]),
        "grade2@5": _mean([float(_grade2_in(r, 5)) for r in answerable]),
        "no_answer_said_none": _mean([float(r.no_good_match) for r in unanswerable]),
        "answerable_said_none": _mean([float(r.no_good_match) for r in answerable]),
        "en_ndcg@5": _mean([ndcg_at(r.ranked, r.query.grades, 5) for r in english]),
        "queries": len(runs),
        "answerable": len(answerable),
        "no_answer": len(unanswerable),
        "english": len(english),
    }
    return result


def _grade2_in(run: QueryRun, k: int) -> bool:
    return any(run.query.grades.get(d, 0) >= 2 for d in run.ranked[:k])


def evaluate_colloquial(
    folder: Path | None = None,
    embedder_factory: Callable[[], Embedder] | None = None,
    cache_dir: Path | None = None,
    details: Path | None = None,
    *,
    calibrated: bool = True,
    fit: Path | None = None,
    switches: Switches | None = None,
    feedback: Path | None = None,
) -> dict[str, Any]:
    """Run the colloquial set through the shipped search; `details` gets one JSON line per query.
    `calibrated=False` runs without the relevance calibrator (the earlier product); `fit` fits a
    new calibrator on every labelled pair of the set, saves it there and evaluates with it;
    `feedback` (JSONL of users' search verdicts, `matchmaker calibrate export-feedback`) adds
    their judgements to the set's, for the metrics and as labelled pairs for the fit."""
    root = folder or default_set_dir()
    started = time.perf_counter()
    queries = load_queries(root)
    added: dict[str, int] = {}
    with colloquial_corpus(root, embedder_factory, cache_dir) as corpus:
        if feedback is not None:
            known = set(corpus.external.values())
            queries, added = add_feedback(queries, load_feedback(feedback), known)
        if not calibrated:
            corpus.service.calibrator = None
        if switches is not None:
            corpus.service.set_switches(switches)
        runs = run_queries(corpus, queries)
        data = labelled_rows(corpus, runs)
        if fit is not None:
            facts = _fit_facts(corpus, root, data)
            if feedback is not None:
                facts["feedback"] = added
                facts["command"] += f" --feedback {feedback.name}"
            model = fit_on(data, np.ones(len(runs), dtype=bool), facts)
            model.save(fit)
            corpus.service.calibrator = model
            runs = run_queries(corpus, queries)
        held_out = held_out_verdicts(data)
    result = summarise(runs)
    answerable = data.answerable.astype(bool)
    counted = np.asarray([r.query.scored for r in runs], dtype=bool)
    held_none = held_out[~answerable & counted]
    result["no_answer_said_none_held_out"] = _mean([float(v) for v in held_none])
    result["answerable_said_none_held_out"] = _mean([float(v) for v in held_out[answerable]])
    if feedback is not None:
        result["feedback"] = added
    result["set"] = "colloquial"
    result["calibrated"] = calibrated
    if details is not None:
        write_details(details, runs)
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def _fit_facts(corpus: Corpus, root: Path, data: LabelledRows) -> dict[str, Any]:
    """How a calibrator was fitted, stored beside its coefficients."""
    from datetime import UTC, datetime

    return {
        "embedder": corpus.service.index.embedder.name,
        "fingerprint": corpus.service.index.embedder.fingerprint,
        "model": "sklearn LogisticRegression(C=1.0) on standardised features",
        "data": f"{root.name}: top {DEPTH} of each query over demo + distractors, "
        "label 1 = judged grade >= 1",
        "rows": int(len(data.labels)),
        "positives": int(data.labels.sum()),
        "queries": int(len(data.answerable)),
        "threshold_rule": "medium = highest P(best hit) with <= 8% of answerable queries below "
        "(2 points under the 10% target, room for unseen queries); high = 0.6",
        "command": "matchmaker eval --colloquial --fit-calibration models/relevance-calibration.json",
        "fitted_at": datetime.now(UTC).strftime("%Y-%m-%d"),
    }


def load_feedback(path: Path) -> list[dict[str, Any]]:
    """Users' judgements exported from search feedback: one JSON object a line with query, kind,
    external_id and grade 0/1/2; EvalSetError naming the line when one is not."""
    if not path.is_file():
        raise EvalSetError(f"缺少文件 / missing file: {path}")
    out: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            row = {
                "query": clean_query(str(raw["query"])),
                "kind": str(raw.get("kind", "achievement")),
                "external_id": str(raw["external_id"]),
                "grade": int(raw["grade"]),
            }
            if row["grade"] not in (0, 1, 2):
                raise ValueError(f"grade {row['grade']} is not 0, 1 or 2")
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise EvalSetError(
                f"{path} 第 {number} 行无效 / line {number} is invalid: {exc}"
            ) from exc
        out.append(row)
    return out


def add_feedback(
    queries: list[EvalQuery], rows: list[dict[str, Any]], known: set[str]
) -> tuple[list[EvalQuery], dict[str, int]]:
    """The set's queries with users' judgements added: on a query of the set (same cleaned text
    and kind) a judgement fills an item the set did not judge (the set's own grades stand); other
    queries become new ones, answerable when some item was useful, and counted in the metrics
    only then (a lone "not relevant" says nothing about whether an answer exists). Judgements of
    items the corpus does not hold are skipped."""
    by_text = {(clean_query(q.text), q.kind): i for i, q in enumerate(queries)}
    out = list(queries)
    counts = {"judgements": 0, "on_set_queries": 0, "new_queries": 0, "skipped": 0}
    fresh: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        if row["external_id"] not in known:
            counts["skipped"] += 1
            continue
        counts["judgements"] += 1
        key = (row["query"], row["kind"])
        if key in by_text:
            at = by_text[key]
            query = out[at]
            if row["external_id"] in query.judged:
                continue
            judged = {**query.judged, row["external_id"]: row["grade"]}
            out[at] = _with_judgements(query, judged)
            counts["on_set_queries"] += 1
        else:
            fresh.setdefault(key, {})[row["external_id"]] = row["grade"]
    for number, ((text, kind), judged) in enumerate(fresh.items(), start=1):
        useful = any(g > 0 for g in judged.values())
        base = EvalQuery(f"feedback-{number}", text, kind, "zh", "feedback", useful, scored=useful)
        out.append(_with_judgements(base, judged))
        counts["new_queries"] += 1
    return out, counts


def _with_judgements(query: EvalQuery, judged: dict[str, int]) -> EvalQuery:
    from dataclasses import replace

    from matchmaker.retrieval.understand import is_english

    return replace(
        query,
        judged=judged,
        grades={d: g for d, g in judged.items() if g > 0},
        lang="en" if query.style == "feedback" and is_english(query.text) else query.lang,
    )


def write_details(path: Path, runs: list[QueryRun]) -> None:
    """One JSON line per query: its text, grades, top 10 and verdict (for reading failures)."""
    with path.open("w", encoding="utf-8") as handle:
        for r in runs:
            row = {
                "_id": r.query.id,
                "text": r.query.text,
                "answerable": r.query.answerable,
                "lang": r.query.lang,
                "grades": r.query.grades,
                "top": r.ranked,
                "no_good_match": r.no_good_match,
                "ndcg@5": round(ndcg_at(r.ranked, r.query.grades, 5), 4),
            }
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


# ---- fitting the relevance calibrator on the set's labelled pairs -------------------------------
@dataclass
class LabelledRows:
    """Calibration rows of many queries: features, labels, and which query each row is from."""

    rows: np.ndarray
    labels: np.ndarray
    query_of: np.ndarray  # row -> index into the runs
    answerable: np.ndarray  # per run


def labelled_rows(corpus: Corpus, runs: list[QueryRun]) -> LabelledRows:
    """Each query's top hits as (features, label): 1 when the item is judged useful (grade ≥ 1).
    The candidates are retrieved again exactly as the search does (the features need them all)."""
    service = corpus.service
    rows, labels, query_of = [], [], []
    for at, run in enumerate(runs):
        text = clean_query(run.query.text)
        plan = service.plan(corpus.session, text)
        hits = service.candidates(text, run.query.kind, None, "hybrid", plan)
        if not hits:
            continue
        features = service.features(plan, run.query.kind, hits, DEPTH)
        for hit_row, hit in zip(features, hits[:DEPTH], strict=True):
            rows.append(hit_row)
            external = corpus.external[(hit.kind, hit.id)]
            labels.append(1 if run.query.grades.get(external, 0) >= 1 else 0)
            query_of.append(at)
    return LabelledRows(
        np.asarray(rows),
        np.asarray(labels),
        np.asarray(query_of),
        np.asarray([r.query.answerable for r in runs]),
    )


def fit_on(data: LabelledRows, chosen: np.ndarray, fitted: dict[str, Any]) -> Calibrator:
    """Fit the calibrator on the runs whose indexes are in `chosen` (a boolean mask over runs)."""
    keep = chosen[data.query_of]
    first_rows = _first_rows(data)
    firsts = [i for i, q in enumerate(first_rows) if q >= 0 and chosen[i]]
    tops = data.rows[[first_rows[i] for i in firsts]]
    return fit_calibrator(
        data.rows[keep],
        data.labels[keep],
        (tops, data.answerable[firsts].astype(int)),
        fitted,
    )


def _first_rows(data: LabelledRows) -> list[int]:
    """Per run, the row of its best hit (-1 when it has none)."""
    first = [-1] * len(data.answerable)
    for row, run in enumerate(data.query_of.tolist()):
        if first[run] < 0:
            first[run] = row
    return first


def held_out_verdicts(data: LabelledRows, folds: int = 2) -> np.ndarray:
    """ "No good match" per run from a calibrator fitted on the other folds (run i is in fold
    i mod folds), the honest estimate of how the shipped threshold behaves on unseen queries."""
    verdicts = np.ones(len(data.answerable), dtype=bool)
    first_rows = _first_rows(data)
    fold_of = np.arange(len(data.answerable)) % folds
    for fold in range(folds):
        model = fit_on(data, fold_of != fold, {})
        for run in np.flatnonzero(fold_of == fold):
            row = first_rows[run]
            if row >= 0:
                p = float(model.probability(data.rows[row : row + 1])[0])
                verdicts[run] = p < model.medium
    return verdicts
