"""Query understanding: colloquial words reach technical ones, industries and English are read."""

from __future__ import annotations

import pytest

from matchmaker.retrieval.understand import (
    CorpusTerms,
    QueryUnderstanding,
    Switches,
    is_english,
    translate,
)

CATALOGUE = [
    (["液冷", "数据中心", "PUE"], ["ai-hardware"]),
    (["液冷", "数据中心", "冷板式液冷"], ["ai-hardware"]),
    (["PUE", "数据中心"], ["ai-hardware"]),
    (["芒果", "分选"], ["agri-food"]),
    (["芒果", "保鲜", "冷链"], ["agri-food"]),
]


def test_colloquial_words_bring_technical_ones_at_a_lower_weight() -> None:
    plan = QueryUnderstanding().plan("电动车电池冬天续航掉得厉害")
    assert "低温" in plan.expansion and "续航里程" in plan.expansion
    assert plan.dense_text == plan.text  # Chinese queries are embedded as typed
    assert 0 < plan.expansion_weight < 1
    assert not QueryUnderstanding(Switches.none()).plan("电动车电池冬天续航掉得厉害").expansion


def test_catalogue_keywords_bring_the_keywords_they_stand_beside() -> None:
    corpus = CorpusTerms.build(CATALOGUE)
    steps = Switches.without(["thesaurus"], ["industry"])
    plan = QueryUnderstanding(steps, corpus).plan("PUE下不来怎么办")
    assert "数据中心" in plan.expansion
    assert plan.industries == frozenset({"ai-hardware"})
    off = QueryUnderstanding(Switches.without(["cooccurrence"]), corpus)  # industry off as shipped
    assert off.plan("PUE下不来怎么办").industries == frozenset()
    assert not Switches().industry


def test_english_is_translated_and_embedded_with_its_translation() -> None:
    assert is_english("mango sorting is too slow") and not is_english("芒果 sorting")
    assert translate("Mangoes sorting") == ("芒果", "分选", "分拣")
    assert translate("battery pack thermal runaway")[:2] == ("电池包", "热失控")
    plan = QueryUnderstanding().plan("mango sorting is too slow")
    assert "芒果" in plan.dense_text and "芒果" in plan.expansion
    assert plan.expansion_weight == 1.0
    assert QueryUnderstanding(Switches.without(["crosslingual"])).plan("mango").expansion == ()


def test_an_unknown_step_is_named() -> None:
    with pytest.raises(ValueError, match="bogus"):
        Switches.without(["thesaurus", "bogus"])
