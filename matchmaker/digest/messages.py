"""What digest e-mails and their reasons say, in Chinese and English (one catalogue, keyed)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "digest.sender": ("园校企对接推送", "Matchmaker digest 园校企对接推送"),
    "digest.title": ("园校企对接推送", "Matchmaker digest"),
    "digest.subject": (
        "园校企对接推送：{n} 条新推荐（{period}）",
        "Matchmaker digest: {n} new item{plural} for you ({period})",
    ),
    "digest.greeting": ("您好：", "Hello,"),
    "digest.greeting_named": ("{name}，您好：", "Hello {name},"),
    "digest.intro": (
        "以下是与您关注方向相关的新条目（{period}）：",
        "New items matching your interests ({period}):",
    ),
    "digest.item_line": ("{number}.【{kind}】{title}", "{number}. [{kind}] {title}"),
    "digest.list_sep": ("；", "; "),
    "digest.why": ("推荐理由", "Why"),
    "digest.why_line": ("   推荐理由：{why}", "   Why: {why}"),
    "digest.view_line": ("   查看详情：{url}", "   View: {url}"),
    "digest.not_relevant": ("不相关 / not relevant", "Not relevant"),
    "digest.not_relevant_line": ("   不相关 / not relevant：{url}", "   Not relevant: {url}"),
    "digest.unsubscribe": ("退订 / unsubscribe", "Unsubscribe"),
    "digest.unsubscribe_line": ("退订 / unsubscribe：{url}", "Unsubscribe: {url}"),
    "digest.footer": (
        "您订阅了园校企对接推送（{frequency}，每封最多 {max_items} 条），同一条目不会重复推送。",
        "You subscribed to the matchmaker digest ({frequency}, at most {max_items} items per "
        "e-mail). You never receive the same item twice.",
    ),
    "digest.frequency.daily": ("每日", "daily"),
    "digest.frequency.weekly": ("每周", "weekly"),
    "digest.confirm.subject": (
        "请确认订阅园校企对接推送 / please confirm your subscription",
        "Please confirm your matchmaker digest subscription",
    ),
    "digest.confirm.who": (
        "有人（希望是您本人）用此邮箱订阅了园校企对接推送（{frequency}）。关注方向：{interests}。",
        "Someone (hopefully you) subscribed this address to the matchmaker digest ({frequency}). "
        "Your interests: {interests}.",
    ),
    "digest.confirm.link": (
        "请点击确认（14 天内有效）：{url}",
        "Confirm with one click (valid for 14 days): {url}",
    ),
    "digest.confirm.ignore": (
        "如非本人操作，请忽略本邮件，我们不会向您发送任何推送。",
        "If this was not you, ignore this e-mail: nothing will be sent.",
    ),
    "digest.period.week": ("{year} 年第 {week} 周", "week {week}, {year}"),
    "digest.period.day": ("{year} 年 {month} 月 {day} 日", "{iso}"),
    "digest.reason.term_literal": ("包含您关注的“{term}”", "mentions your interest “{term}”"),
    "digest.reason.term_close": ("与您关注的“{term}”内容相近", "close to your interest “{term}”"),
    "digest.reason.industry": ("属于您关注的产业：{names}", "in your industry: {names}"),
    "digest.reason.park": ("位于您关注的园区：{park}", "in your park: {park}"),
    "digest.reason.eastern": (
        "东部研发来源：{province}·{owner}，可在广西转化",
        "eastern R&D source: {owner} ({province}), for transfer to Guangxi",
    ),
    "digest.tag.new": ("新发布", "new"),
    "digest.tag.updated": ("有更新", "updated"),
    "digest.tag.deadline": ("截止 {date}", "deadline {date}"),
}
