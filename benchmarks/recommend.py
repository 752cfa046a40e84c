"""`matchmaker bench recommend`: warm latency of recommending for one item, per track."""

from __future__ import annotations

import os
import platform
import random
import time
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from matchmaker.core.kinds import EAST_TO_GUANGXI
from matchmaker.ranking.service import Recommender
from matchmaker.ranking.tracks import TRACKS

SEED = 7


def _sources(
    recommender: Recommender, session: Session, per_track: int
) -> dict[str, list[tuple[str, int]]]:
    """Open sources of every route of every track, sampled with a fixed seed."""
    ctx = recommender.context(session, "tech-transfer")
    cat, today = ctx.catalogue, ctx.today
    rng = random.Random(SEED)
    out: dict[str, list[tuple[str, int]]] = {}
    for name, track in TRACKS.items():
        pool: list[tuple[str, int]] = []
        for kind in track.routes:
            if kind == "park":
                pool += [("park", p) for p in sorted(cat.parks)]
                continue
            for view in cat.items[kind].values():
                if not view.open_on(today):
                    continue
                owner = cat.owner(view)
                if name == EAST_TO_GUANGXI and (owner is None or owner.guangxi):
                    continue
                pool.append((kind, view.id))
        pool.sort()
        rng.shuffle(pool)
        out[name] = pool[:per_track]
    return out


def _summary(times: list[float]) -> dict[str, float]:
    values = np.array(times) * 1000.0
    return {
        "calls": len(times),
        "p50_ms": float(np.percentile(values, 50)) if len(values) else 0.0,
        "p95_ms": float(np.percentile(values, 95)) if len(values) else 0.0,
        "max_ms": float(values.max()) if len(values) else 0.0,
    }


def run_bench(
    recommender: Recommender, session: Session, per_track: int = 60, k: int = 10
) -> dict[str, Any]:
    """Time one `recommend` per (source, target kind) after a warm-up; the first call is reported
    apart (it loads the index and the data snapshot)."""
    started = time.perf_counter()
    sources = _sources(recommender, session, per_track)
    cold = time.perf_counter() - started
    for name, picked in sources.items():  # warm-up: one call per route
        for kind in TRACKS[name].routes:
            first = next((s for s in picked if s[0] == kind), None)
            if first is not None:
                recommender.recommend(session, name, kind, first[1], k)
    per_track_times: dict[str, list[float]] = {}
    for name, picked in sources.items():
        times = per_track_times.setdefault(name, [])
        for kind, item_id in picked:
            for target in TRACKS[name].targets(kind):
                began = time.perf_counter()
                recommender.recommend(session, name, kind, item_id, k, target_kind=target)
                times.append(time.perf_counter() - began)
    every = [t for times in per_track_times.values() for t in times]
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}",
        "cold_ms": cold * 1000.0,
        "k": k,
        "calls": len(every),
        "tracks": {name: _summary(times) for name, times in per_track_times.items()},
        "all": _summary(every),
    }
