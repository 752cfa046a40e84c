"""`total` of a search counts the hits that match the query (a shared word, or a dense score at
or above the embedder's floor), not every candidate the dense retriever returns (issue 14: every
query said total 200)."""

from __future__ import annotations

from pathlib import Path

from matchmaker.retrieval.index.records import Hit
from matchmaker.retrieval.search import DENSE_MATCH_FLOOR, SearchRequest, matched_total

TOPICS = [
    ("A1", "芒果采后保鲜技术", "涂膜保鲜，芒果货架期延长10天，适合东盟冷链运输。"),
    ("A2", "锂电池热失控预警", "电池包温度与气体多传感器融合，提前预警热失控。"),
    ("A3", "稀土萃取分离节能工艺", "稀土分离过程能耗降低30%，减少酸碱用量。"),
    ("A4", "甘蔗渣制备可降解餐具", "以甘蔗渣纤维为原料模压成型可降解餐具。"),
    ("A5", "钢板表面缺陷视觉检测", "深度学习检测冷轧钢板表面划痕、辊印与夹杂。"),
    ("A6", "北斗农机自动驾驶", "丘陵地区拖拉机与收割机北斗导航自动驾驶。"),
    ("A7", "污水厂智能曝气控制", "根据溶解氧在线调节曝气量，节电20%。"),
    ("A8", "中药材八角精油提取", "八角茴香精油超临界萃取与质量检测。"),
]


def test_counting_rule() -> None:
    hits = [
        Hit(1, "achievement", 0.9, dense_score=0.80, lexical_score=3.2),  # shares a word
        Hit(2, "achievement", 0.8, dense_score=0.90, lexical_score=None),  # close in meaning
        Hit(3, "achievement", 0.7, dense_score=0.80, lexical_score=None),  # neither
        Hit(4, "achievement", 0.6, dense_score=None, lexical_score=0.0),
    ]
    assert matched_total(hits, 0.87) == 2
    assert matched_total(hits, None) == 3, "no measured floor: every dense candidate counts"


def test_an_unrelated_query_reports_no_match_and_a_related_one_only_its_matches(
    app_env: Path,
) -> None:
    from matchmaker.core.container import Container
    from matchmaker.store.db import session_scope, upgrade
    from matchmaker.store.models import Achievement, Organisation

    upgrade()
    with session_scope() as session:
        uni = Organisation(external_id="U", name="测试大学", kind="university", province="广西")
        session.add(uni)
        for ext, title, summary in TOPICS:
            item = Achievement(external_id=ext, title=title, summary=summary, trl=6, owner=uni)
            item.refresh_hash()
            session.add(item)
    box = Container()
    assert box.index().embedder.name in DENSE_MATCH_FLOOR
    with session_scope() as session:
        unrelated = box.search.search(session, SearchRequest("周末去哪里看足球比赛", limit=10))
        assert len(unrelated.hits) == len(TOPICS), "the dense retriever still ranks everything"
        assert unrelated.total == 0
        related = box.search.search(session, SearchRequest("芒果运到东盟容易坏", limit=10))
        assert related.items[0].item.title == "芒果采后保鲜技术"
        assert 1 <= related.total < len(TOPICS)
