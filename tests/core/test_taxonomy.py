"""Industry names as people write them: the policy's wording, joiner and suffix variants, and
"did you mean" for unknown labels."""

from __future__ import annotations

import pytest

from matchmaker.core.taxonomy import (
    INDUSTRIES,
    names_of,
    resolve_industry,
    suggest_industries,
    unknown_industry_message,
)

POLICY_NAMES = {
    "人工智能及智能硬件": "ai-hardware",
    "智能网联汽车": "icv",
    "电子信息": "electronic-info",
    "关键金属及生物质新材料": "metals-biomass",
    "特色农产品精深加工": "agri-processing",
}


@pytest.mark.parametrize(("name", "code"), POLICY_NAMES.items())
def test_the_policy_wording_of_each_leading_industry_resolves(name: str, code: str) -> None:
    assert resolve_industry(name) == code


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("关键金属和生物质新材料", "metals-biomass"),
        ("关键金属与生物质新材料产业", "metals-biomass"),
        ("关键金属 & 生物质新材料", "metals-biomass"),
        ("新材料", "metals-biomass"),
        ("人工智能和智能硬件", "ai-hardware"),
        ("智能网联汽车产业", "icv"),
        ("ICV", "icv"),
        ("电子信息产业", "electronic-info"),
        ("农产品精深加工", "agri-processing"),
        ("Key Metals and Biomass New Materials", "metals-biomass"),
        ("  生物医药  ", "biomedicine"),
    ],
)
def test_joiner_suffix_and_abbreviation_variants_resolve(name: str, code: str) -> None:
    assert resolve_industry(name) == code


def test_no_name_of_one_industry_resolves_to_another() -> None:
    for ind in INDUSTRIES:
        for name in names_of(ind):
            assert resolve_industry(name) == ind.code, name


def test_unknown_labels_stay_unknown_and_get_close_suggestions() -> None:
    assert resolve_industry("火星采矿") is None
    assert resolve_industry("") is None
    assert suggest_industries("农产品深加工")[0] == "agri-processing"
    assert suggest_industries("海洋渔业")[0] == "marine"
    assert suggest_industries("量子计算") == []
    message = unknown_industry_message("生物质材料")
    assert "是否指" in message and "关键金属与生物质新材料" in message
    assert "是否指" not in unknown_industry_message("量子计算")
