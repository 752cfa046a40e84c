"""A search hit's reasons in words: one wording for the API and the web page (`api/i18n.py`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from api.i18n import Translator, labeller, translator
from matchmaker.retrieval.explain import Reason

Labels = Mapping[str, Callable[[str], str]]
_LABELLED = {"industries": "industry", "coop_modes": "coop"}  # value → label family


def reason_text(reason: Reason, t: Translator, label: Labels) -> str:
    """One reason in the reader's language (codes named by their labels, lists joined by 、)."""
    values = {}
    for name, value in reason.values.items():
        family = _LABELLED.get(name)
        if name == "stage":
            values[name] = t(f"trl.stage.{value}")
        elif family is not None:
            values["names"] = "、".join(label[family](code) for code in value)
        elif isinstance(value, list | tuple):
            values[name] = "、".join(str(v) for v in value)
        else:
            values[name] = value
    return t(reason.key, **values)


def reason_texts(reasons: list[Reason], lang: str = "zh") -> list[str]:
    """All reasons of a hit in one language (the API words them in Chinese, as the page does)."""
    t, label = translator(lang), labeller(lang)
    return [reason_text(r, t, label) for r in reasons]
