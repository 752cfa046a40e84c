"""Checks on the generated corpus: forbidden topics, field lengths, near-duplicate statistics."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .textutil import bigrams, jaccard, overlap

# Topics of the colloquial queries that are meant to have no good answer (answerable=false), and
# demo topics that only the demo items should answer: no distractor may mention them.
FORBIDDEN: tuple[str, ...] = (
    "宠物",
    "喂食器",
    "作弊",
    "鸟鸣",
    "鸟叫",
    "打蜡",
    "灯光秀",
    "编队",
    "珍珠奶茶",
    "粉圆",
    "定损",
    "车险",
    "调音",
    "钢琴",
    "锂矿",
    "盾构",
    "电梯",
    "游戏",
    "外挂",
    "短视频",
    "剪辑",
    "桉木",
    "单板",
    "古建",
    "白蚁",
    "糖尿病",
    "驾校",
    "驾驶培训",
    "开胶",
    "鞋",
    "洗车",
    "游艇",
    "船桨",
    "龙舟",
    "碳纤维",
    "猫粮",
    "钙钛矿",
    "光刻胶",
    "eVTOL",
    "垂直起降",
    "适航",
    "脑机",
    "首饰",
    "送物",
    "送餐",
    "配送机器人",
    "蜂箱",
    "蜂群",
    "蜂蜜",
    "养蜂",
    "电子烟",
    "雾化",
    "婚纱",
    "修图",
    "熔喷",
    "纸尿裤",
    "收割机",
    "红树林",
    "停车",
    "镜片",
    "眼镜",
    "危化品",
    "除草",
    "光伏",
    "清洗机器人",
    "防冻液",
    "海水淡化",
    "反渗透",
    "加盟",
    "水冷",
    "充电宝",
    "热障",
    "羽绒",
    "门禁",
    "碎屏",
    "翻新",
    "钙片",
    "补钙",
    "矿卡",
    "无人驾驶",
    "护工",
    "排班",
    "面包发酵",
    "烘焙",
    "老面",
    "根腐",
    "三七",
    "航线",
    "直播",
    "隔音",
    "隔声",
    "找矿",
    "勘探",
    "窗帘",
    "甲醛",
    "跌倒",
    "遥控",
    "没电",
    "测温",
    "心率",
    "呼吸",
    "睡眠",
    "扫码",
    "刷脸",
    "人脸",
    "压铸",
    "芒果",
    "甘蔗",
    "螺蛳",
    "米粉",
    "酸笋",
    "泡菜",
    "亚硝酸盐",
    "农残",
    "缫丝",
    "生丝",
    "餐盒",
    "纸浆模塑",
    "泡沫箱",
    "泡沫包装",
    "缓冲包装",
    "冷链",
    "溯源码",
    "翻译",
    "语音",
    "数字人",
    "大模型",
    "毫米波",
    "液冷",
    "换电柜",
    "储能",
    "锂电池包",
)
TEXT_FIELD = {"achievements": "summary", "needs": "description", "scenarios": "description"}


@dataclass
class DupStats:
    """Highest pairwise bigram similarity found, and the pair."""

    max_overlap: float
    max_jaccard: float
    pair: tuple[str, str]
    over_60: int
    median_nearest: float
    p99_nearest: float


def read_jsonl(path: Path) -> list[dict[str, object]]:
    """Rows of a JSON Lines file."""
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def forbidden_hits(rows: dict[str, list[dict[str, object]]]) -> list[str]:
    """'id: term' for every item whose text mentions a forbidden topic."""
    hits: list[str] = []
    for items in rows.values():
        for row in items:
            blob = json.dumps(row, ensure_ascii=False)
            hits.extend(f"{row['external_id']}: {t}" for t in FORBIDDEN if t in blob)
    return hits


def length_problems(rows: dict[str, list[dict[str, object]]]) -> list[str]:
    """Titles outside 10–30 characters, texts outside 80–250, keyword lists outside 3–6."""
    out = []
    for kind, items in rows.items():
        if kind not in TEXT_FIELD:
            continue
        for row in items:
            title, text = str(row["title"]), str(row[TEXT_FIELD[kind]])
            kws = row.get("keywords", [])
            if not 10 <= len(title) <= 30:
                out.append(f"{row['external_id']}: title length {len(title)}")
            if not 80 <= len(text) <= 250:
                out.append(f"{row['external_id']}: text length {len(text)}")
            if not isinstance(kws, list) or not 3 <= len(kws) <= 6:
                out.append(
                    f"{row['external_id']}: {len(kws) if isinstance(kws, list) else '?'} keywords"
                )
    return out


def near_duplicates(texts: list[tuple[str, str]]) -> DupStats:
    """All-pairs character-bigram similarity (overlap over the smaller set, and Jaccard)."""
    sets = [bigrams(t) for _, t in texts]
    postings: dict[str, list[int]] = {}
    best, best_j, pair, over = 0.0, 0.0, ("", ""), 0
    nearest = [0.0] * len(sets)
    for i, grams in enumerate(sets):
        counts: Counter[int] = Counter()
        for g in sorted(grams):
            for j in postings.get(g, ()):
                counts[j] += 1
        for j, shared in counts.items():
            score = shared / min(len(grams), len(sets[j]))
            if score > 0.6:
                over += 1
            nearest[i] = max(nearest[i], score)
            nearest[j] = max(nearest[j], score)
            if score > best:
                best, pair = score, (texts[j][0], texts[i][0])
            best_j = max(best_j, jaccard(grams, sets[j]) if score > 0.3 else 0.0)
        for g in grams:
            postings.setdefault(g, []).append(i)
    ranked = sorted(nearest)
    median = ranked[len(ranked) // 2] if ranked else 0.0
    p99 = ranked[int(len(ranked) * 0.99)] if ranked else 0.0
    return DupStats(round(best, 4), round(best_j, 4), pair, over, round(median, 3), round(p99, 3))


def closest_demo(
    texts: list[tuple[str, str]], demo: list[tuple[str, str]]
) -> tuple[float, str, str]:
    """Highest overlap between any distractor text and any demo text."""
    demo_sets = [(ext, bigrams(t)) for ext, t in demo]
    best: tuple[float, str, str] = (0.0, "", "")
    for ext, text in texts:
        grams = bigrams(text)
        for dext, dgrams in demo_sets:
            score = overlap(grams, dgrams)
            if score > best[0]:
                best = (round(score, 4), ext, dext)
    return best
