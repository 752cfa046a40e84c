"""Build achievement, need and scenario rows, rejecting near-duplicate texts as they are drawn."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from . import fields_misc as fm
from .model import Angle, Domain
from .orgs import Org, OrgBook, park_manager
from .phrases import Facts, draw_facts
from .templates import SOFT_KINDS, achievement_summary, achievement_title
from .templates_needs import need_description, need_title, scale_phrase
from .templates_scenarios import capabilities, scenario_description, scenario_title
from .textutil import NearDupIndex, bigrams
from .vocab_orgs import CITY_PARK, PARK_NAMES
from .vocab_users import sector, users

Row = dict[str, object]


def quotas(domains: tuple[Domain, ...], total: int) -> list[int]:
    """Split a total over domains in proportion to their weights (largest remainder)."""
    weight = sum(d.weight for d in domains)
    exact = [total * d.weight / weight for d in domains]
    out = [int(x) for x in exact]
    order = sorted(range(len(domains)), key=lambda i: exact[i] - out[i], reverse=True)
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def keywords(rng: random.Random, f: Facts) -> list[str]:
    """Three to six keywords: the angle's own first, then the domain's."""
    pool = list(f.angle.keywords)
    extra = list(f.domain.keywords)
    rng.shuffle(extra)
    if len(f.obj) <= 6:
        extra.insert(rng.randint(0, len(extra)), f.obj)
    for word in extra:
        if word not in pool:
            pool.append(word)
    return pool[: rng.randint(3, min(6, len(pool)))]


@dataclass
class Built:
    """The generated rows plus bookkeeping for the report."""

    achievements: list[Row] = field(default_factory=list)
    needs: list[Row] = field(default_factory=list)
    scenarios: list[Row] = field(default_factory=list)
    labels: list[Row] = field(default_factory=list)
    rejected: int = 0


class Builder:
    """Draws items domain by domain; a text is kept only if no earlier text is too similar."""

    def __init__(self, rng: random.Random, book: OrgBook, threshold: float) -> None:
        self.rng, self.book, self.threshold = rng, book, threshold
        self.index = NearDupIndex()
        self.titles: set[str] = set()
        self.out = Built()

    def _accept(self, title: str, text: str, label: str, lo: int = 80, hi: int = 250) -> bool:
        if title in self.titles or not (10 <= len(title) <= 30) or not (lo <= len(text) <= hi):
            self.out.rejected += 1
            return False
        grams = bigrams(text)
        score, _ = self.index.closest(grams)
        if score > self.threshold:
            self.out.rejected += 1
            return False
        self.index.add(grams, label)
        self.titles.add(title)
        return True

    def _label(self, ext: str, kind: str, d: Domain, a: Angle) -> None:
        self.out.labels.append(
            {
                "external_id": ext,
                "kind": kind,
                "group": d.group,
                "domain": d.key,
                "field": d.field,
                "angle": a.method,
            }
        )

    def _angle(self, d: Domain, i: int, attempt: int) -> Angle:
        return d.angles[i % len(d.angles)] if attempt < 15 else self.rng.choice(d.angles)

    def achievement(self, ext: str, d: Domain, i: int) -> None:
        """One achievement row for domain d."""
        rng = self.rng
        for attempt in range(60):
            academic = self.book.academic.get(d.key, []) + [
                g for g in self.book.general if d.key in g.domains
            ]
            owner: Org = rng.choice(academic if rng.random() < 0.7 else self.book.companies[d.key])
            city = (
                owner.city
                if owner.province == "广西" or rng.random() < 0.5
                else rng.choice(list(CITY_PARK))
            )
            f = draw_facts(rng, d, self._angle(d, i, attempt), city)
            level = fm.trl(rng)
            ipr = fm.ipr_for(rng, level, f.angle.kind in SOFT_KINDS)
            patents = fm.patent_numbers(rng, ipr)
            title = achievement_title(f, rng)
            academic_owner = owner.kind in ("university", "research_institute")
            summary = achievement_summary(f, rng, level, ipr, patents, owner.short, academic_owner)
            if not self._accept(title, summary, ext):
                continue
            row: Row = {
                "external_id": ext,
                "title": title,
                "summary": summary,
                "keywords": keywords(rng, f),
                "industries": list(d.industries),
                "trl": level,
                "ipr_status": ipr,
            }
            if patents:
                row["patent_numbers"] = patents
            row["coop_modes"] = fm.coop_modes(rng, for_need=False)
            roll = rng.random()
            if roll < 0.5:
                row["price_min"], row["price_max"] = fm.money_range(rng, f.angle.kind)
            elif roll < 0.7:
                row["price"] = "面议"
            row["applications"] = "、".join(rng.sample(d.apps, rng.randint(2, 3)))
            row["owner"] = owner.ext_id
            row.update(fm.contact(rng, owner.kind, owner.city))
            row["status"] = fm.status(rng)
            self.out.achievements.append(row)
            self._label(ext, "achievement", d, f.angle)
            return
        raise RuntimeError(f"no acceptable achievement for {d.key}")

    def need(self, ext: str, d: Domain, i: int) -> None:
        """One enterprise need row for domain d."""
        rng = self.rng
        firms = self.book.users[d.key]
        local = [o for o in firms if o.province == "广西"]
        for attempt in range(60):
            firm = rng.choice(local if local and rng.random() < 0.75 else firms)
            f = draw_facts(rng, d, self._angle(d, i, attempt), firm.city)
            coop = fm.coop_modes(rng, for_need=True)
            roll = rng.random()
            low, high = fm.money_range(rng, f.angle.kind)
            budget = f"{low}-{high}" if roll < 0.7 else ""
            title = need_title(f, rng)
            trade = next(w for w in users(d) if w in firm.name)
            scale = scale_phrase(rng, firm.size, sector(d))
            text = need_description(f, rng, firm.name, trade, scale, budget, coop, sector(d))
            if not self._accept(title, text, ext):
                continue
            row: Row = {
                "external_id": ext,
                "title": title,
                "description": text,
                "keywords": keywords(rng, f),
                "industries": list(d.industries),
            }
            if rng.random() < 0.45:
                row["min_trl"] = rng.randint(4, 8)
            if roll < 0.7:
                row["budget_min"], row["budget_max"] = low, high
            elif roll < 0.8:
                row["budget"] = "面议"
            if rng.random() < 0.8:
                row["deadline"] = fm.deadline(rng)
            row["coop_modes"] = coop
            row["enterprise"] = firm.ext_id
            if firm.park and rng.random() < 0.6:
                row["park"] = firm.park
            row.update(fm.contact(rng, firm.kind, firm.city))
            row["status"] = fm.status(rng)
            self.out.needs.append(row)
            self._label(ext, "need", d, f.angle)
            return
        raise RuntimeError(f"no acceptable need for {d.key}")

    def scenario(self, ext: str, d: Domain, i: int, park: str) -> None:
        """One application scenario row for domain d in a demo park."""
        rng = self.rng
        city = next(c for c, p in CITY_PARK.items() if p == park)
        park_name = PARK_NAMES[park]
        for attempt in range(60):
            in_park = self.book.users_in_park(park, d.key)
            if in_park and rng.random() < 0.3:
                owner_org = rng.choice(in_park)
                owner, owner_name = owner_org.ext_id, owner_org.name
            else:
                owner = park_manager(rng, self.book, park)
                service = self.book.park_service[park]
                owner_name = service.name if owner == service.ext_id else park_name + "管委会"
            f = draw_facts(rng, d, self._angle(d, i, attempt), city)
            title = scenario_title(f, rng, park_name, city)
            months = rng.choice((3, 4, 6, 9, 12))
            text = scenario_description(
                f, rng, park_name, owner_name, months, sector(d), rng.choice(users(d))
            )
            if not self._accept(title, text, ext):
                continue
            low, high = fm.money_range(rng, f.angle.kind)
            row: Row = {
                "external_id": ext,
                "title": title,
                "description": text,
                "park": park,
                "owner": owner,
                "keywords": keywords(rng, f),
                "industries": list(d.industries),
                "capabilities": capabilities(f, rng),
                "budget_min": low,
                "budget_max": high,
            }
            if rng.random() < 0.9:
                row["deadline"] = fm.deadline(rng)
            row.update(fm.contact(rng, "park_management", city))
            row["status"] = fm.status(rng)
            self.out.scenarios.append(row)
            self._label(ext, "scenario", d, f.angle)
            return
        raise RuntimeError(f"no acceptable scenario for {d.key}")


def build_items(
    rng: random.Random,
    domains: tuple[Domain, ...],
    book: OrgBook,
    counts: tuple[int, int, int],
    threshold: float,
) -> Built:
    """All items: achievements, then needs, then scenarios, each spread over the domains."""
    b = Builder(rng, book, threshold)
    n_ach, n_need, n_scn = counts
    plan: list[tuple[str, Domain, int]] = []
    for kind, total in (("A", n_ach), ("N", n_need), ("S", n_scn)):
        per_kind: list[tuple[str, Domain, int]] = []
        for d, q in zip(domains, quotas(domains, total), strict=True):
            per_kind.extend((kind, d, i) for i in range(q))
        rng.shuffle(per_kind)
        plan.extend(per_kind)
    parks = list(PARK_NAMES)
    counters = {"A": 0, "N": 0, "S": 0}
    for kind, d, i in plan:
        counters[kind] += 1
        n = counters[kind]
        if kind == "A":
            b.achievement(f"X-A-{n:04d}", d, i)
        elif kind == "N":
            b.need(f"X-N-{n:04d}", d, i)
        else:
            b.scenario(f"X-S-{n:04d}", d, i, parks[(n - 1) % len(parks)])
    return b.out
