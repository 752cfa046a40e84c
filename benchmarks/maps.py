"""`matchmaker bench maps`: how long a park map takes, on the demo data and on a synthetic dataset.

Demo: the demo set in a throw-away SQLite database; every text is embedded once through the
shared embedding cache (`$XDG_CACHE_HOME/matchmaker/embeddings`), then each park's map is timed
warm, as a served map is (the index layer has embedded every item by then).

Synthetic: `items` achievements, needs and scenarios (40/50/10 %) and one organisation per eight
items, written from real clauses of the shared enterprise needs (bdci-needs.jsonl, read in place).
Their vectors are synthesised like `bench index` does: the real e5 embedding of a real need moved
by a scaled difference of two other real embeddings plus a little noise, stored in the embedding
cache under the synthetic texts, so the map runs exactly its warm path (database reads, cache
look-ups, scoring, ranking) without hours of embedding. The largest park's map is timed.
"""

from __future__ import annotations

import json
import os
import platform
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from matchmaker.core.config import user_cache_dir
from matchmaker.maps.vectors import TextVectors, org_text
from matchmaker.retrieval.embed import EmbeddingCache, get_embedder
from matchmaker.retrieval.embed.base import clean_texts
from matchmaker.retrieval.embed.cache import text_key

GUANGXI_PARKS = (
    ("南宁", ["electronic-info", "ai-hardware"]),
    ("柳州", ["icv"]),
    ("桂林", ["electronic-info", "ai-hardware"]),
    ("北海", ["electronic-info"]),
    ("百色", ["metals-biomass", "agri-processing"]),
    ("钦州", ["metals-biomass"]),
    ("贺州", ["metals-biomass", "agri-processing"]),
    ("玉林", ["agri-processing"]),
)
EASTERN = ("北京", "上海", "广东", "江苏", "浙江")
INDUSTRIES = ("ai-hardware", "icv", "electronic-info", "metals-biomass", "agri-processing")


def shared_cache_dir() -> Path:
    """The per-user embedding cache shared by benchmarks, notebooks and tests."""
    return user_cache_dir() / "embeddings"


def needs_path() -> Path:
    """The shared real needs file, read where it is (../shared/data from the project root)."""
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "bdci-needs.jsonl"


def _machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "os": platform.system()}


def _time_map(session: Session, park: str, vectors: TextVectors) -> float:
    from matchmaker.maps.park_map import build_park_map

    started = time.perf_counter()
    build_park_map(session, park, vectors=vectors)
    return time.perf_counter() - started


def bench_demo(vectors: TextVectors, workdir: Path) -> dict[str, Any]:
    """Warm map time of every demo park (after one cold pass that fills the cache)."""
    from matchmaker.demo.loader import load_demo
    from matchmaker.store.db import make_engine, session_factory, upgrade
    from matchmaker.store.models import Park

    engine = make_engine(f"sqlite:///{workdir / 'demo.db'}")
    upgrade(engine)
    with session_factory(engine)() as session:
        load_demo(session)
        session.commit()
        parks = list(session.scalars(select(Park.external_id)))
        started = time.perf_counter()
        for park in parks:
            _time_map(session, park, vectors)
        first = time.perf_counter() - started
        warm = {park: round(_time_map(session, park, vectors), 3) for park in parks}
    engine.dispose()
    return {
        "demo_first_pass_s": round(first, 2),
        "demo_warm_s": warm,
        "demo_warm_max_s": max(warm.values()),
    }


def _clauses(path: Path) -> tuple[list[str], list[str]]:
    titles, clauses = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        titles.append(str(record["title"]).strip())
        for part in str(record["text"]).replace("\n", "。").split("。"):
            part = part.strip(" ：:\u3000")
            if 12 <= len(part) <= 160:
                clauses.append(part + "。")
    return titles, clauses


def _synthetic_vector(rng: np.random.Generator, base: np.ndarray, pool: np.ndarray) -> np.ndarray:
    a, b = pool[rng.integers(len(pool))], pool[rng.integers(len(pool))]
    vector = base + 0.35 * (a - b) + rng.normal(0.0, 0.01, size=base.shape)
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def bench_synthetic(vectors: TextVectors, workdir: Path, items: int, seed: int) -> dict[str, Any]:
    """Build the synthetic dataset, store its vectors, time the largest park's map (twice)."""
    from matchmaker.store.db import make_engine, session_factory, upgrade
    from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario

    path = needs_path()
    if not path.exists():
        raise FileNotFoundError(f"找不到共享需求数据 / shared needs file not found: {path}")
    rng = np.random.default_rng(seed)
    pick = random.Random(seed)
    titles, clauses = _clauses(path)
    started = time.perf_counter()
    base = vectors.documents(titles)  # real e5 embeddings of the real need titles
    embed_s = time.perf_counter() - started

    engine = make_engine(f"sqlite:///{workdir / 'synthetic.db'}")
    upgrade(engine)
    embedder = vectors.embedder
    assert vectors.cache is not None
    pending: list[tuple[bytes, np.ndarray]] = []

    def remember(text: str, title_index: int) -> None:
        key = text_key(clean_texts([text])[0])
        pending.append((key, _synthetic_vector(rng, base[title_index], base)))

    started = time.perf_counter()
    n_orgs = max(40, items // 8)
    with session_factory(engine)() as session:
        park_rows = [
            {
                "external_id": f"BP-{i}",
                "name": f"{city}合成高新区",
                "level": "national",
                "city": city,
                "industries": industries,
                "description": f"{city}合成园区",
            }
            for i, (city, industries) in enumerate(GUANGXI_PARKS)
        ]
        session.execute(insert(Park), park_rows)
        park_ids = list(session.scalars(select(Park.id).order_by(Park.id)))
        org_rows = []
        for i in range(n_orgs):
            roll = pick.random()
            title_index = pick.randrange(len(titles))
            description = "".join(pick.sample(clauses, 2))
            if roll < 0.6:
                kind, province, park = "enterprise", "广西", pick.choice(park_ids)
            elif roll < 0.9:
                kind, province, park = "enterprise", pick.choice(EASTERN), None
            else:
                kind, province, park = (
                    pick.choice(("university", "research_institute")),
                    "广西",
                    None,
                )
            name = f"合成机构{i:05d}{titles[title_index][:8]}"
            org_rows.append(
                {
                    "external_id": f"BO-{i}",
                    "name": name,
                    "kind": kind,
                    "province": province,
                    "park_id": park,
                    "industries": [pick.choice(INDUSTRIES)],
                    "description": description,
                }
            )
            remember(org_text(name, description), title_index)
        session.execute(insert(Organisation), org_rows)
        orgs = session.execute(
            select(Organisation.id, Organisation.kind, Organisation.park_id)
        ).all()
        enterprises = [(o, p) for o, k, p in orgs if k == "enterprise" and p is not None]
        owners = [o for o, _, _ in orgs]
        rows: dict[str, list[dict[str, Any]]] = {"achievement": [], "need": [], "scenario": []}
        for i in range(items):
            roll = i % 10
            kind = "achievement" if roll < 4 else "need" if roll < 9 else "scenario"
            title_index = pick.randrange(len(titles))
            title = f"{titles[title_index]}（{i}）"
            body = "".join(pick.sample(clauses, 3))
            keywords = [titles[pick.randrange(len(titles))][:6]]
            industries = [pick.choice(INDUSTRIES)]
            if kind == "achievement":
                obj: Any = Achievement(
                    external_id=f"BA-{i}",
                    title=title,
                    summary=body,
                    keywords=keywords,
                    industries=industries,
                    trl=pick.randint(3, 9),
                    owner_id=pick.choice(owners),
                )
                rows[kind].append(
                    {
                        "external_id": obj.external_id,
                        "title": title,
                        "summary": body,
                        "keywords": keywords,
                        "industries": industries,
                        "trl": obj.trl,
                        "owner_id": obj.owner_id,
                        "status": "active",
                    }
                )
            elif kind == "need":
                enterprise, park = pick.choice(enterprises)
                obj = Need(
                    external_id=f"BN-{i}",
                    title=title,
                    description=body,
                    keywords=keywords,
                    industries=industries,
                )
                rows[kind].append(
                    {
                        "external_id": obj.external_id,
                        "title": title,
                        "description": body,
                        "keywords": keywords,
                        "industries": industries,
                        "enterprise_id": enterprise,
                        "park_id": park,
                        "status": "active",
                    }
                )
            else:
                obj = Scenario(
                    external_id=f"BS-{i}",
                    title=title,
                    description=body,
                    keywords=keywords,
                    industries=industries,
                )
                rows[kind].append(
                    {
                        "external_id": obj.external_id,
                        "title": title,
                        "description": body,
                        "keywords": keywords,
                        "industries": industries,
                        "park_id": pick.choice(park_ids),
                        "status": "active",
                    }
                )
            remember(obj.embedding_text(), title_index)
        session.execute(insert(Achievement), rows["achievement"])
        session.execute(insert(Need), rows["need"])
        session.execute(insert(Scenario), rows["scenario"])
        session.commit()
        vectors.cache.put_many(embedder.fingerprint, "document", pending)
        build_s = time.perf_counter() - started
        counts = {park: 0 for park in park_ids}
        for _, park in enterprises:
            counts[park] += 1
        largest = max(counts, key=lambda p: counts[p])
        first = _time_map(session, str(largest), vectors)
        warm = _time_map(session, str(largest), vectors)
    engine.dispose()
    return {
        "synthetic_items": items,
        "synthetic_organisations": n_orgs,
        "synthetic_park_enterprises": counts[largest],
        "synthetic_real_texts_embedded_s": round(embed_s, 2),
        "synthetic_build_s": round(build_s, 2),
        "synthetic_map_first_s": round(first, 3),
        "synthetic_map_warm_s": round(warm, 3),
    }


def run_bench(items: int = 10_000, seed: int = 0) -> dict[str, Any]:
    """Both measurements, with the machine they ran on."""
    from matchmaker.core.config import get_settings

    vectors = TextVectors(get_embedder(get_settings().embedder), EmbeddingCache(shared_cache_dir()))
    result: dict[str, Any] = {"machine": _machine()}
    with tempfile.TemporaryDirectory(prefix="mm-bench-maps-") as folder:
        workdir = Path(folder)
        result.update(bench_demo(vectors, workdir))
        result.update(bench_synthetic(vectors, workdir, items, seed))
    return result
