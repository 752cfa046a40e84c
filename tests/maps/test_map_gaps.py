"""A park's chain map: links without local firms are gaps with ranked candidates; importing a firm
that works in the link closes the gap."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from matchmaker.catalog.importer.service import import_rows
from matchmaker.maps.chains import UnknownChain, shipped_chains
from matchmaker.maps.coverage import COVERED, GAP, WEAK, CoverageRule
from matchmaker.maps.gaps import (
    ACHIEVEMENT,
    EASTERN_FIRM,
    GX_RESEARCH,
    HIGH,
    MEDIUM,
    candidate_level,
)
from matchmaker.maps.park_map import UnknownPark, build_park_map
from tests.maps.map_helpers import BY_WIRE_FIRM, BY_WIRE_NEED, load_world, rows, shared_vectors


def _statuses(session: Session) -> dict[str, str]:
    park_map = build_park_map(session, "T-LZ", vectors=shared_vectors())
    return {c.link.code: c.status for c in park_map.chains[0].links}


def test_links_with_local_firms_are_covered_and_the_rest_are_gaps(session: Session) -> None:
    load_world(session)
    park_map = build_park_map(session, "T-LZ", vectors=shared_vectors())
    assert [m.chain.industry for m in park_map.chains] == ["icv"]
    links = {c.link.code: c for c in park_map.chains[0].links}
    assert links["battery-edrive"].status == COVERED
    assert {s.firm.external_id for s in links["battery-edrive"].firms} == {"T-E1", "T-E2"}
    assert links["lightweight-parts"].status == COVERED
    # the eastern firm and the university are not park enterprises: they fill no link
    assert links["by-wire-chassis"].status == GAP
    assert links["chips-sensors"].status == GAP
    # evidence names the item and its score
    battery = next(s for s in links["battery-edrive"].firms if s.firm.external_id == "T-E1")
    kinds = {m.piece.kind for m in battery.matches}
    assert kinds == {"profile", "need"}
    assert all(m.score >= park_map.rule.threshold for m in battery.matches)


def test_a_gap_lists_who_could_fill_it_with_chinese_reasons(session: Session) -> None:
    load_world(session)
    park_map = build_park_map(session, "T-LZ", vectors=shared_vectors())
    chain_map = park_map.chains[0]
    groups = chain_map.candidates["by-wire-chassis"]
    achievements = [c.external_id for c in groups[ACHIEVEMENT]]
    assert set(achievements[:2]) == {"T-A1", "T-A2"}
    eastern = groups[EASTERN_FIRM][0]
    assert eastern.external_id == "T-SH"
    assert eastern.via is not None and eastern.via.external_id == "T-A1"
    assert any("东部研发力量（上海）" in r for r in eastern.reasons)
    assert any("线控转向" in r for r in eastern.reasons)  # a core technology it names
    university = groups[GX_RESEARCH][0]
    assert university.external_id == "T-U1"
    assert any("广西本地高校" in r for r in university.reasons)
    top = chain_map.top("by-wire-chassis")
    assert top is not None and top.score >= max(c.score for c in groups[ACHIEVEMENT])
    # covered links get no candidate list
    assert "battery-edrive" not in chain_map.candidates


def test_importing_a_firm_that_works_in_the_link_removes_the_gap(session: Session) -> None:
    load_world(session)
    assert _statuses(session)["by-wire-chassis"] == GAP
    import_rows(session, "organisations", rows([BY_WIRE_FIRM]))
    import_rows(session, "needs", rows([BY_WIRE_NEED]))
    session.commit()
    park_map = build_park_map(session, "T-LZ", vectors=shared_vectors())
    link = next(c for c in park_map.chains[0].links if c.link.code == "by-wire-chassis")
    assert link.status in (WEAK, COVERED)
    assert [s.firm.external_id for s in link.firms] == ["T-E9"]
    assert {m.piece.external_id for m in link.firms[0].matches} >= {"T-N9"}
    # the other links did not move
    statuses = {c.link.code: c.status for c in park_map.chains[0].links}
    assert statuses["chips-sensors"] == GAP and statuses["battery-edrive"] == COVERED


def test_a_park_without_chained_industries_draws_nothing_and_unknown_parks_fail(
    session: Session,
) -> None:
    load_world(session)
    import_rows(
        session,
        "parks",
        rows(
            [
                {
                    "external_id": "T-MAR",
                    "name": "测试海洋园区",
                    "level": "regional",
                    "city": "北海",
                    "industries": "海洋经济",
                }
            ]
        ),
    )
    session.commit()
    # every industry ships a chain; a park office may have dropped one (as an import can)
    without = {code: chain for code, chain in shipped_chains().items() if code != "marine"}
    empty = build_park_map(session, "T-MAR", vectors=shared_vectors(), chains=without)
    assert empty.chains == [] and empty.enterprise_count == 0
    assert empty.missing_industries == ["marine"], "the map says which industry has no chain"
    assert empty.as_dict()["missing_industries"] == ["marine"]
    assert build_park_map(session, "T-MAR", vectors=shared_vectors()).missing_industries == []
    # any chain can still be drawn for it on request: everything is a gap
    drawn = build_park_map(session, "T-MAR", "icv", vectors=shared_vectors())
    assert {c.status for c in drawn.chains[0].links} == {GAP}
    with pytest.raises(UnknownPark):
        build_park_map(session, "NO-SUCH-PARK", vectors=shared_vectors())
    with pytest.raises(UnknownChain):
        build_park_map(session, "T-LZ", "marine", vectors=shared_vectors(), chains=without)


def test_no_candidate_below_the_calibrated_level_fills_a_gap(session: Session) -> None:
    """A lone achievement must clear threshold + strong (what makes one piece a capability);
    an organisation needs its profile or two achievements at the threshold."""
    rule = CoverageRule()
    assert candidate_level(0.037, 1, False, rule) is None  # the 0.037 driving-simulator case
    assert candidate_level(0.051, 1, False, rule) == HIGH
    assert candidate_level(0.037, 1, True, rule) == MEDIUM
    assert candidate_level(0.037, 2, False, rule) == MEDIUM
    assert candidate_level(0.025, 3, True, rule) is None
    load_world(session)
    park_map = build_park_map(session, "T-LZ", vectors=shared_vectors())
    shown = [
        c
        for groups in park_map.chains[0].candidates.values()
        for items in groups.values()
        for c in items
    ]
    assert shown
    for c in shown:
        assert c.level in (HIGH, MEDIUM)
        if c.kind == "achievement":
            assert c.match >= rule.threshold + rule.strong, (c.name, c.match)


def test_a_candidate_that_names_asean_markets_says_so() -> None:
    from matchmaker.maps.chains import shipped_chains as chains
    from matchmaker.maps.gaps import _reasons
    from matchmaker.maps.sources import Firm, Piece

    link = chains()["icv"].links[0]
    org = Firm(1, "E-1", "上海某科技", "enterprise", "上海", "上海", None)
    piece = Piece("achievement", 1, "A-1", "车规雷达", "车规级毫米波雷达，已出口越南、泰国。", 1, 7)
    reasons = _reasons(link, 0.06, 0.9, piece, org, CoverageRule())
    assert "面向东盟市场：出口越南、泰国" in reasons
    plain = Piece("achievement", 2, "A-2", "车规雷达", "车规级毫米波雷达。", 1, 7)
    assert not any("东盟" in r for r in _reasons(link, 0.06, 0.9, plain, org, CoverageRule())[:-1])
