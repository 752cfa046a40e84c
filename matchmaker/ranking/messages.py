"""What the recommender's reasons say, in Chinese and English (keys used by ranking/reasons.py)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # how a reason names things
    "rank.side.achievement": ("成果", "achievement"),
    "rank.side.need": ("需求", "need"),
    "rank.side.scenario": ("场景", "scenario"),
    "rank.side.park": ("园区", "park"),
    "rank.item.park": ("园区{side}《{title}》（{ref}）", "the park's {side} “{title}” ({ref})"),
    "rank.item.its": ("其{side}《{title}》（{ref}）", "its {side} “{title}” ({ref})"),
    "rank.same_owner": ("同一单位", "the same organisation"),
    # semantic and words
    "rank.where.content": ("内容", "Content"),
    "rank.where.via": ("与{via}", "Compared with {via}:"),
    "rank.close": ("语义相近", "close in meaning"),
    "rank.loose": ("语义相似度一般", "only loosely similar in meaning"),
    "rank.semantic": (
        "{where}{close}（向量相似度 {cosine}）",
        "{where} {close} (vector similarity {cosine})",
    ),
    "rank.terms": ("共同技术词：{terms}", "Shared technical terms: {terms}"),
    "rank.terms_via": (
        "与该{side}共同技术词：{terms}",
        "Technical terms shared with that {side}: {terms}",
    ),
    # fields
    "rank.industry": ("同属产业：{names}", "Same industry: {names}"),
    "rank.park_industry": ("属{park}主导产业：{names}", "A leading industry of {park}: {names}"),
    "rank.trl.meets": (
        "成熟度 TRL{trl}，满足{side} TRL≥{wanted}",
        "Maturity TRL{trl} meets the {side}'s TRL≥{wanted}",
    ),
    "rank.trl.below": (
        "成熟度 TRL{trl}，低于{side}要求的 TRL≥{wanted}（偏早期）",
        "Maturity TRL{trl} is below the {side}'s TRL≥{wanted} (early stage)",
    ),
    "rank.trl.typical_meets": (
        "成熟度 TRL{trl}，达到{side}落地通常所需的 TRL≥{wanted}",
        "Maturity TRL{trl} reaches the TRL≥{wanted} a {side} usually needs",
    ),
    "rank.trl.typical_below": (
        "成熟度 TRL{trl}，低于{side}落地通常所需的 TRL≥{wanted}（偏早期）",
        "Maturity TRL{trl} is below the TRL≥{wanted} a {side} usually needs (early stage)",
    ),
    "rank.money.one": ("{value} 万元", "CNY {value}×10k"),
    "rank.money.range": ("{low}–{high} 万元", "CNY {low}–{high}×10k"),
    "rank.money.min": ("不低于 {value} 万元", "at least CNY {value}×10k"),
    "rank.money.max": ("不超过 {value} 万元", "at most CNY {value}×10k"),
    "rank.money.open": ("面议", "negotiable"),
    "rank.budget.over": (
        "报价 {price}，高于预算上限 {limit}",
        "Price {price}, above the budget cap of {limit}",
    ),
    "rank.budget.within": (
        "报价 {price}，在预算 {budget}内",
        "Price {price}, within the budget of {budget}",
    ),
    "rank.budget.overlap": (
        "报价 {price}，与预算 {budget}部分重合",
        "Price {price}, overlapping the budget of {budget}",
    ),
    "rank.region.east": (
        "东部研发来源（{province}·{owner}），可在广西集成转化",
        "Eastern R&D source ({owner}, {province}), to be integrated and converted in Guangxi",
    ),
    "rank.region.local_not_eastern": (
        "单位在广西（{owner}），非东部研发来源",
        "In Guangxi ({owner}), not an eastern R&D source",
    ),
    "rank.region.same_city": ("本地单位：{city}·{owner}", "Local: {owner}, {city}"),
    "rank.region.guangxi": ("区内单位：广西·{owner}", "In Guangxi: {owner}"),
    "rank.region.outside": ("区外单位：{province}·{owner}", "Outside Guangxi: {owner}, {province}"),
    "rank.coop.shared": ("合作方式一致：{modes}", "Cooperation modes agree: {modes}"),
    "rank.coop.differ": (
        "合作方式不一致：可{offered}，{side}希望{wanted}",
        "Cooperation modes differ: offers {offered}, the {side} wants {wanted}",
    ),
    "rank.freshness": ("更新于 {date}（{days} 天前）", "Updated {date} ({days} days ago)"),
    "rank.asean": ("面向东盟市场：{cues}", "For ASEAN markets: {cues}"),
    "rank.diversity": (
        "{owner}已有 {n} 项排在前面，适当降权",
        "{owner} already has {n} items above, so this one is lowered a little",
    ),
    "rank.evidence.best_result": (
        "最匹配的成果：《{title}》（{ref}）{more}",
        "Best-matching result: “{title}” ({ref}){more}",
    ),
    "rank.evidence.park_best": (
        "园区内最相关的{side}：《{title}》（{ref}）{more}",
        "The park's most relevant {side}: “{title}” ({ref}){more}",
    ),
    "rank.evidence.more": ("，另有 {n} 项入围", "; {n} more shortlisted"),
    # refusals
    "rank.err.unknown_track": (
        "未知的赛道“{name}”，可选：{choices}",
        "unknown track {name!r}, choose one of: {choices}",
    ),
    "rank.err.no_source_kind": (
        "{track}赛道不为{side}推荐，可用的来源：{sources}",
        "the {track} track takes sources of kind {sources}, not {side}",
    ),
    "rank.err.no_target_kind": (
        "{track}赛道不为{side}推荐{target}",
        "the {track} track does not rank {target} for a {side}",
    ),
    "rank.err.unsupported_target": (
        "不支持的推荐对象 {target}",
        "unsupported target kind {target}",
    ),
    "rank.err.not_eastern": (
        "成果 {ref} 的单位（{owner}）在广西，不是东部研发来源；请用“技术转移”赛道",
        "achievement {ref} is owned in Guangxi ({owner}): the east-to-Guangxi track ranks results "
        "made outside Guangxi; use tech-transfer",
    ),
    "rank.err.no_record": ("没有编号为 {id} 的{kind}", "no {kind} {id}"),
    "rank.err.no_ref": (
        "找不到{kind}“{ref}”（数据库编号或外部编号）",
        "no {kind} with id or external id {ref!r}",
    ),
}
