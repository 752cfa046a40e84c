"""Words two texts share (the lexical reason a pair was made), highlighted with <mark>, and ASEAN cues."""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Protocol


class Frequencies(Protocol):
    """Anything that answers `get(word, default)` with a document frequency."""

    def get(self, word: str, default: int = 0, /) -> int:
        """Documents containing the word."""
        ...


# Words too common in technical writing to explain a match.
_GENERIC = (
    "技术 系统 产品 企业 公司 项目 提高 提升 降低 实现 问题 目前 现有 开发 研发 应用 方法 方案 "
    "装置 设备 工艺 生产 合作 要求 解决 相关 服务 效果 质量 成本 效率 能力 平台 数据 可靠 稳定 "
    "传统 显著 较高 较低 达到 以上 以下 左右 万元 单位 广西 我们 希望 寻求 找到 需要 已经 一套 "
    "主要 具有 包括 提供 支持 用于 适用 适合 形成 完成 开展 建设 推广 市场 行业 领域 关键词 所需 "
    "具备 导致 调整 控制 局部 优化 改进 改善 减少 增加 快速 自动 智能 有效 良好 新型 高效 一种 "
    "基于 实际 目标 条件 过程 结构 材料 工程 示范 验证 试点 场景 场地 测试 "
    # research boilerplate: shared by any two academic texts, never a reason on its own
    "研究 分析 结果 表明 结果表明 研究表明 发现 探讨 影响 作用 因素 机制 意义 模型 算法"
)
GENERIC_WORDS: frozenset[str] = frozenset(_GENERIC.split())
MAX_TERMS = 6
SNIPPET_CHARS = 140

# Phrases that show an item looks at ASEAN markets (东盟转化). "出口" alone also means "outlet"
# in engineering text, so it counts only next to a market word.
ASEAN_PATTERN = re.compile(
    r"东盟|ASEAN|RCEP|东南亚|越南|泰国|马来西亚|印度尼西亚|印尼|新加坡|菲律宾|柬埔寨|老挝|缅甸|文莱|"
    r"跨境|陆海新通道|中马|中越|中泰|"
    r"出口(?:到|至|东盟|东南亚|越南|泰国|马来西亚|印尼|海外|国外|市场|订单|业务|型)|"
    r"海外市场|国际市场|外贸",
    re.IGNORECASE,
)


def asean_cues(text: str) -> list[str]:
    """The ASEAN-market phrases found in a text, each once, in order of appearance."""
    seen: dict[str, None] = {}
    for match in ASEAN_PATTERN.finditer(text):
        seen.setdefault(match.group(0), None)
    return list(seen)


def document_frequencies(token_sets: Iterable[frozenset[str]]) -> tuple[Counter[str], int]:
    """How many documents contain each token, and how many documents there are."""
    df: Counter[str] = Counter()
    total = 0
    for tokens in token_sets:
        df.update(tokens)
        total += 1
    return df, total


def _explains(token: str) -> bool:
    """A token worth showing: two or more characters, not a number, not a generic word."""
    if len(token) < 2 or token in GENERIC_WORDS:
        return False
    return not token.replace(".", "").isdigit()


def shared_terms(
    source_tokens: frozenset[str],
    target_tokens: frozenset[str],
    source_text: str,
    target_text: str,
    df: Mapping[str, int] | Frequencies,
    n_docs: int,
    *,
    vocabulary: frozenset[str] | None = None,
    prefer: frozenset[str] = frozenset(),
    limit: int = MAX_TERMS,
) -> list[str]:
    """The rarest technical words both texts contain verbatim (`prefer`: tokens of keywords, shown
    first), so a reader sees the overlap; `vocabulary` limits them to words of titles and keywords."""
    source_lower, target_lower = source_text.lower(), target_text.lower()
    found = [
        t
        for t in source_tokens & target_tokens
        if _explains(t)
        and (vocabulary is None or t in vocabulary)
        and t in source_lower
        and t in target_lower
    ]

    def rarity(token: str) -> tuple[bool, float, str]:
        idf = math.log((n_docs + 1) / (df.get(token, 0) + 1))
        return (token not in prefer, -idf, token)

    chosen = sorted(found, key=rarity)[:limit]
    return [_as_written(t, target_text, target_lower) for t in chosen]


def _as_written(token: str, text: str, lower: str) -> str:
    """A lower-cased token in the spelling the text uses ("pcs" → "PCS")."""
    at = lower.find(token)
    if at < 0 or len(lower) != len(text):
        return token
    return text[at : at + len(token)]


def mark_terms(text: str, terms: Iterable[str]) -> str:
    """HTML-escaped text with each occurrence of the terms wrapped in <mark>…</mark>."""
    ordered = sorted({t for t in terms if t}, key=len, reverse=True)
    if not ordered:
        return html.escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in ordered), re.IGNORECASE)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def snippet(text: str, terms: Iterable[str], width: int = SNIPPET_CHARS) -> str:
    """A window of the text around the first shared term (its start when none occurs)."""
    flat = " ".join(text.split())
    lower = flat.lower()
    positions = [lower.find(t.lower()) for t in terms]
    hits = [p for p in positions if p >= 0]
    start = max(0, min(hits) - width // 4) if hits else 0
    piece = flat[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(flat) else ""
    return prefix + piece + suffix
