"""Interface strings of the web pages in Chinese (first) and English, and the domain's labels.

Pages look strings up by key: `translator("en")("search.title")`. A missing English string falls
back to Chinese, a missing key shows the key itself (so a typo is visible, never a crash).
Data (titles, descriptions, the recommender's reasons) is shown as written, in Chinese.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matchmaker.core.taxonomy import INDUSTRIES
from matchmaker.core.vocab import COOP_MODES, IPR_STATUSES, ORG_KINDS, PARK_LEVELS, STATUSES

LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "zh"
HTML_LANG = {"zh": "zh-CN", "en": "en"}

Translator = Callable[..., str]

STRINGS: dict[str, tuple[str, str]] = {
    # site frame
    "site.name": ("园校企对接", "Park–Campus–Enterprise Matchmaking"),
    "site.tagline": ("广西高新区科技成果与企业需求对接平台", "Guangxi high-tech parks matchmaking"),
    "nav.label": ("主导航", "Main navigation"),
    "nav.search": ("找技术", "Search"),
    "nav.parks": ("园区", "Parks"),
    "nav.events": ("对接活动", "Events"),
    "nav.login": ("登录", "Log in"),
    "nav.logout": ("退出", "Log out"),
    "nav.skip": ("跳到正文", "Skip to content"),
    "nav.lang": ("English", "中文"),
    "nav.lang_label": ("切换到英文", "Switch to Chinese"),
    "nav.signed_in": ("已登录：{name}（{role}）", "Signed in: {name} ({role})"),
    "footer.text": (
        "数据来自园区、高校与企业发布的信息；推荐理由由系统根据文本与字段自动生成。",
        "Data published by parks, universities and enterprises; reasons are generated from it.",
    ),
    "footer.api": ("API 文档", "API docs"),
    # search
    "search.title": ("按需求找技术", "Search by need"),
    "search.lead": (
        "用自己的话描述遇到的技术难题，系统从科技成果、企业需求和应用场景中找出相关条目并说明理由。",
        "Describe your technical problem in your own words; we find related achievements, "
        "needs and scenarios and say why each one fits.",
    ),
    "search.query": ("描述您的问题", "Describe your problem"),
    "search.query_hint": (
        "例如：镜面不锈钢锅体划痕检测反光严重，误检率高",
        "e.g. scratches on mirror-polished steel are hard to detect because of glare",
    ),
    "search.submit": ("搜索", "Search"),
    "search.filters": ("筛选条件", "Filters"),
    "search.kind": ("查找类别", "Looking for"),
    "search.industry": ("产业", "Industry"),
    "search.park": ("园区", "Park"),
    "search.region": ("地区", "Region"),
    "search.trl": ("技术成熟度", "Maturity (TRL)"),
    "search.trl_hint.achievement": ("成果的 TRL 不低于所选值", "Achievements at this TRL or above"),
    "search.trl_hint.need": ("需求要求的 TRL 不高于所选值", "Needs asking for this TRL or less"),
    "search.trl_hint.scenario": ("应用场景不按 TRL 筛选", "Scenarios have no TRL"),
    "search.coop": ("合作方式", "Cooperation mode"),
    "search.any": ("不限", "Any"),
    "search.region.guangxi": ("广西区内", "Guangxi"),
    "search.region.eastern": ("东部地区（北上广等）", "Eastern China"),
    "search.trl_value": ("TRL {n}", "TRL {n}"),
    "search.filters_set": ("已设置", "set"),
    "search.clear": ("清除筛选", "Clear filters"),
    "search.examples": ("试试这些问题", "Try these"),
    "search.results": ("找到的结果", "Results"),
    "search.count": ("“{q}”的{kind}：第 {start}–{end} 条", "{kind} for “{q}”: {start}–{end}"),
    "search.empty": ("没有找到结果", "No results found"),
    "search.empty_lead": (
        "没有符合条件的{kind}。可以试试：",
        "No {kind} match these conditions. You could:",
    ),
    "search.suggest_clear": ("去掉筛选条件再搜一次", "Search again without filters"),
    "search.suggest_words": (
        "换个说法：用更通俗的词，或只写最关键的一两个词",
        "Rephrase: use plainer words, or only the one or two key words",
    ),
    "search.suggest_kind": ("在{kind}中查找", "Look among {kind}"),
    "search.unavailable": (
        "检索服务正在启动或暂不可用，请稍后再试。",
        "Search is starting up or unavailable; please try again shortly.",
    ),
    "search.bad_filter": ("已忽略无效的筛选值：{names}", "Ignored invalid filter values: {names}"),
    "search.prev": ("上一页", "Previous"),
    "search.next": ("下一页", "Next"),
    "search.paging": ("分页", "Pages"),
    "search.page": ("第 {n} 页", "Page {n}"),
    "search.weak": ("相关度较低", "Weak match"),
    "search.reasons": ("推荐理由", "Why this result"),
    "search.need_context": ("反馈记在我的需求", "Feedback applies to my need"),
    "search.need_auto": (
        "自动：与问题最接近的《{title}》",
        "Automatic: closest to your text, “{title}”",
    ),
    "search.need_context_hint": (
        "标记“不相关”后，该条目不再推荐给所选需求。",
        "Items marked “not relevant” are no longer recommended for the chosen need.",
    ),
    "search.login_for_feedback": (
        "登录后可标记“不相关”，系统将不再向您推荐该条目。",
        "Log in to mark results as not relevant; they will not be recommended to you again.",
    ),
    "search.feedback_needs_need": (
        "发布一项企业需求后，即可在这里标记“不相关”。",
        "Publish a need to mark search results as not relevant.",
    ),
    # reasons for free-text search
    "why.semantic": ("与您的描述语义相近（相似度 {v}）", "Close in meaning to your text ({v})"),
    "why.terms": ("共同关键词：{terms}", "Shared terms: {terms}"),
    "why.trl": ("技术成熟度 TRL{trl}", "Maturity TRL{trl}"),
    "why.min_trl": ("要求成熟度 TRL≥{trl}", "Asks for TRL ≥ {trl}"),
    "why.industry": ("产业：{names}", "Industry: {names}"),
    "why.coop": ("合作方式：{names}", "Cooperation: {names}"),
    "why.guangxi": ("广西区内单位", "Based in Guangxi"),
    "why.eastern": ("东部研发单位（{province}）", "Eastern R&D source ({province})"),
    "why.park": ("所在园区：{park}", "Park: {park}"),
    # items
    "item.kind.achievement": ("科技成果", "Achievement"),
    "item.kind.need": ("企业需求", "Enterprise need"),
    "item.kind.scenario": ("应用场景", "Application scenario"),
    "item.kinds.achievement": ("科技成果", "achievements"),
    "item.kinds.need": ("企业需求", "needs"),
    "item.kinds.scenario": ("应用场景", "scenarios"),
    "item.organisation": ("单位", "Organisation"),
    "item.enterprise": ("需求企业", "Enterprise"),
    "item.owner": ("发布单位", "Published by"),
    "item.park": ("园区", "Park"),
    "item.industries": ("产业", "Industries"),
    "item.keywords": ("关键词", "Keywords"),
    "item.status": ("状态", "Status"),
    "item.trl": ("技术成熟度", "Maturity"),
    "item.min_trl": ("要求成熟度", "Required maturity"),
    "item.ipr": ("知识产权", "IP status"),
    "item.patents": ("专利号", "Patents"),
    "item.coop": ("合作方式", "Cooperation"),
    "item.price": ("参考价格", "Indicative price"),
    "item.budget": ("预算", "Budget"),
    "item.deadline": ("截止日期", "Deadline"),
    "item.summary": ("成果简介", "Summary"),
    "item.description": ("需求描述", "Description"),
    "item.scenario_description": ("场景描述", "Description"),
    "item.applications": ("应用领域", "Applications"),
    "item.capabilities": ("所需能力", "Capabilities sought"),
    "item.updated": ("更新于", "Updated"),
    "item.contact": ("联系方式", "Contact"),
    "item.contact_name": ("联系人", "Name"),
    "item.contact_phone": ("电话", "Phone"),
    "item.contact_email": ("邮箱", "Email"),
    "item.contact_login": ("登录后查看联系方式。", "Log in to see contact details."),
    "item.contact_role": (
        "您的账号角色无权查看联系方式，请联系园区工作人员。",
        "Your role may not see contact details; please ask park staff.",
    ),
    "item.contact_none": ("未留联系方式。", "No contact details given."),
    "item.recommendations": ("推荐配对", "Recommended matches"),
    "item.rec_empty": ("暂无合适的推荐。", "No suitable recommendations yet."),
    "item.rec_closed": (
        "该条目已关闭或过期，不再生成推荐。",
        "This item is closed or expired: no recommendations.",
    ),
    "item.rec_error": ("这一栏暂时无法生成：{message}", "Not available here: {message}"),
    "item.east_only": (
        "该成果的单位在广西区内；此赛道只为东部等区外研发成果推荐园区与需求，请看上方技术转移推荐。",
        "This result is owned in Guangxi; this track recommends parks and needs for results made "
        "outside Guangxi (see tech transfer above).",
    ),
    "item.score": ("匹配度 {v}", "Score {v}"),
    "item.evidence": ("依据", "Based on"),
    "item.search_similar": ("用这条的标题再搜一次", "Search with this title"),
    "item.back": ("返回搜索", "Back to search"),
    "amount.range": ("{low}–{high} 万元", "{low}–{high} ×10k CNY"),
    "amount.min": ("不低于 {low} 万元", "from {low} ×10k CNY"),
    "amount.max": ("不超过 {high} 万元", "up to {high} ×10k CNY"),
    "amount.open": ("面议", "Negotiable"),
    # feedback
    "fb.not_relevant": ("不相关", "Not relevant"),
    "fb.why": ("为什么不相关？", "Why not relevant?"),
    "fb.done": (
        "已记录为不相关，今后不再为该条目推荐此结果。",
        "Marked as not relevant: it will not be recommended for this item again.",
    ),
    "fb.reason.too_early": ("技术太早期", "Too early-stage"),
    "fb.reason.unclear_benefit": ("收益不明确", "Benefit unclear"),
    "fb.reason.wrong_field": ("领域不符", "Wrong field"),
    "fb.reason.too_vague": ("描述太模糊", "Too vague"),
    "fb.reason.other": ("其他原因", "Other"),
    "fb.login": ("登录后反馈", "Log in to give feedback"),
    "fb.denied": (
        "只能对自己单位发布的条目给出反馈。",
        "You can only give feedback on your own items.",
    ),
    "fb.error": ("反馈未能记录：{message}", "Feedback not recorded: {message}"),
    # login
    "login.title": ("登录", "Log in"),
    "login.lead": (
        "粘贴园区或平台工作人员发给您的 API 密钥。密钥只保存在本浏览器的加密 Cookie 中。",
        "Paste the API key you received from park or platform staff. It is kept in a signed "
        "cookie in this browser only.",
    ),
    "login.key": ("API 密钥", "API key"),
    "login.key_hint": ("以 mm_ 开头的一串字符", "A string starting with mm_"),
    "login.submit": ("登录", "Log in"),
    "login.bad_key": (
        "密钥无效或已吊销，请核对后重试。",
        "Invalid or revoked key; please check it.",
    ),
    "login.empty_key": ("请粘贴 API 密钥。", "Please paste your API key."),
    "login.why_feedback": (
        "登录后即可标记“不相关”并查看联系方式。",
        "Log in to mark results as not relevant and to see contact details.",
    ),
    "login.why_required": ("该页面需要登录。", "This page needs you to log in."),
    "login.anonymous": (
        "无需登录也可以搜索；登录后可查看联系方式、反馈“不相关”、管理对接活动。",
        "You can search without logging in; log in to see contacts, give feedback and run events.",
    ),
    "logout.done": ("已退出登录。", "You are logged out."),
    # roles
    "role.admin": ("管理员", "administrator"),
    "role.organiser": ("活动组织者", "organiser"),
    "role.enterprise": ("企业", "enterprise"),
    "role.reader": ("只读用户", "reader"),
    # errors
    "error.404": ("页面不存在", "Page not found"),
    "error.404_lead": (
        "您要找的页面不存在，可能已被删除或链接有误。",
        "The page you asked for does not exist; it may have been removed or the link is wrong.",
    ),
    "error.403": ("无权访问", "Not allowed"),
    "error.403_lead": ("您的账号角色不能执行此操作。", "Your role may not do this."),
    "error.401": ("需要登录", "Please log in"),
    "error.500": ("服务器出错了", "Something went wrong"),
    "error.500_lead": (
        "出错信息已记录，请稍后重试。",
        "The error was logged; please try again later.",
    ),
    "error.400": ("请求有误", "Bad request"),
    "error.409": ("操作冲突", "Conflict"),
    "error.422": ("输入有误", "Invalid input"),
    "error.csrf": (
        "表单已过期，请刷新页面后重试。",
        "The form has expired; reload the page and try again.",
    ),
    "error.home": ("回到首页搜索", "Back to search"),
    "error.item_missing": ("{kind} {id} 不存在。", "{kind} {id} does not exist."),
    # parks
    "parks.title": ("高新区", "High-tech parks"),
    "parks.lead": (
        "各园区的主导产业、企业需求与应用场景，以及可对接的成果与东部研发力量。",
        "Each park's leading industries, needs and scenarios, and the results and eastern firms "
        "that fit them.",
    ),
    "parks.counts": (
        "企业需求 {needs} 项 · 应用场景 {scenarios} 项",
        "{needs} open needs · {scenarios} scenarios",
    ),
    "parks.empty": ("还没有园区数据。", "No parks yet."),
    "park.industries": ("主导产业", "Leading industries"),
    "park.needs": ("园区企业需求", "Enterprise needs in the park"),
    "park.scenarios": ("应用场景", "Application scenarios"),
    "park.none_needs": ("该园区暂无有效需求。", "No open needs in this park."),
    "park.none_scenarios": ("该园区暂无开放的应用场景。", "No open scenarios in this park."),
    "park.more": ("查看全部 {n} 项", "See all {n}"),
    "park.east": ("东部研发—广西转化：按主导产业推荐", "East-to-Guangxi: by leading industry"),
    "park.east_lead": (
        "“北上广研发、广西集成、东盟转化”：与园区主导产业契合的东部成果和研发单位。",
        "Results and R&D firms from eastern China that fit the park's leading industries.",
    ),
    "park.east_achievements": ("推荐成果", "Recommended achievements"),
    "park.east_firms": ("东部研发单位", "Eastern firms"),
    "park.east_other": ("其他产业", "Other industries"),
    "park.east_none": ("暂无推荐。", "No recommendations yet."),
    "park.map": ("产业链创新地图", "Innovation map"),
    "park.map_alt": (
        "{park}产业链创新地图：各产业链环节的本地覆盖情况与补链候选",
        "Innovation map of {park}: local coverage of each chain link and candidates to fill gaps",
    ),
    "park.map_open": ("在新窗口打开地图", "Open the map in a new window"),
    "park.map_missing": ("该园区的创新地图暂未提供。", "The innovation map is not available yet."),
    "park.level": ("级别", "Level"),
    "park.city": ("城市", "City"),
    # events
    "events.title": ("对接活动", "Matchmaking events"),
    "events.lead": (
        "创建园校企对接活动，邀请参会单位，一键生成一对一洽谈排程。",
        "Create matchmaking events, invite participants and generate one-to-one schedules.",
    ),
    "events.empty": ("还没有活动。", "No events yet."),
    "events.new": ("新建活动", "New event"),
    "events.date": ("日期", "Date"),
    "events.name": ("活动名称", "Event name"),
    "events.park": ("所在园区", "Park"),
    "events.venue": ("地点", "Venue"),
    "events.description": ("活动说明", "Description"),
    "events.tracks": ("对接赛道", "Tracks"),
    "events.tracks_hint": ("不选则全部赛道", "None selected means all tracks"),
    "events.industries": ("聚焦产业", "Industries in focus"),
    "events.industries_hint": ("可多选；不选则不限", "Choose any; none means all"),
    "events.morning": ("上午场", "Morning session"),
    "events.afternoon": ("下午场", "Afternoon session"),
    "events.start": ("开始", "Start"),
    "events.end": ("结束", "End"),
    "events.afternoon_hint": ("不需要下午场就留空", "Leave empty for no afternoon session"),
    "events.slot_minutes": ("每场洽谈（分钟）", "Meeting length (minutes)"),
    "events.tables": ("洽谈桌数", "Tables"),
    "events.max_meetings": ("每家最多洽谈场数", "Max meetings per participant"),
    "events.min_meetings": ("每家至少洽谈场数", "Min meetings per participant"),
    "events.small_min": ("小微单位至少场数", "Min meetings for small institutions"),
    "events.create": ("创建活动", "Create event"),
    "events.participants": ("参会单位", "Participants"),
    "events.participants_count": ("{n} 家参会", "{n} participants"),
    "events.no_participants": ("还没有参会单位。", "No participants yet."),
    "events.add": ("添加参会单位", "Add a participant"),
    "events.organisation": ("单位", "Organisation"),
    "events.choose": ("请选择", "Choose"),
    "events.add_submit": ("添加", "Add"),
    "events.invite": ("批量邀请", "Invite several"),
    "events.invite_lead": (
        "有相关成果、需求或场景的单位（按活动聚焦产业筛选）：",
        "Organisations with items in the event's industries:",
    ),
    "events.invite_submit": ("邀请所选单位", "Invite the selected"),
    "events.invite_none": ("没有可邀请的单位了。", "Nobody left to invite."),
    "events.items": ("带来的条目", "Items brought"),
    "events.status": ("状态", "Status"),
    "events.cancel": ("取消参会", "Cancel attendance"),
    "events.remove": ("移除", "Remove"),
    "events.rules": ("配对规则", "Pair rules"),
    "events.rule_must": ("必须会谈", "Must meet"),
    "events.rule_never": ("不得会谈", "Never meet"),
    "events.rule_a": ("参会方 A", "Participant A"),
    "events.rule_b": ("参会方 B", "Participant B"),
    "events.rule_kind": ("规则", "Rule"),
    "events.rule_add": ("添加规则", "Add rule"),
    "events.rule_none": ("没有规则。", "No rules."),
    "events.rule_delete": ("删除", "Delete"),
    "events.plan": ("排程", "Schedule"),
    "events.generate": ("生成配对排程", "Generate the schedule"),
    "events.regenerate": ("从头重新生成", "Generate again from scratch"),
    "events.replan": ("重新排程（保留锁定）", "Re-plan (keep locked)"),
    "events.view_schedule": ("查看排程", "View the schedule"),
    "events.no_plan": (
        "还没有排程。添加参会单位后即可生成。",
        "No schedule yet: add participants, then generate.",
    ),
    "events.plan_summary": (
        "第 {version} 版（{kind}）：{meetings} 场洽谈，{slots} 个时段 × {tables} 张桌",
        "Version {version} ({kind}): {meetings} meetings, {slots} slots × {tables} tables",
    ),
    "events.changes": (
        "与上一版相比：保留 {kept}，移动 {moved}，新增 {added}，取消 {removed}",
        "Against the previous version: kept {kept}, moved {moved}, "
        "added {added}, removed {removed}",
    ),
    "events.grid": ("时段 × 洽谈桌", "Slots × tables"),
    "events.by_participant": ("按参会单位", "By participant"),
    "events.slot": ("时段", "Slot"),
    "events.table": ("{label} 号桌", "Table {label}"),
    "events.free": ("空", "free"),
    "events.lock": ("锁定", "Lock"),
    "events.unlock": ("解锁", "Unlock"),
    "events.locked": ("已锁定", "Locked"),
    "events.lock_label": ("锁定 {a} 与 {b} 的洽谈", "Lock the meeting of {a} and {b}"),
    "events.unlock_label": ("解锁 {a} 与 {b} 的洽谈", "Unlock the meeting of {a} and {b}"),
    "events.no_meetings": ("没有洽谈安排。", "No meetings."),
    "events.exports": ("下载", "Download"),
    "events.export_csv": ("会谈清单 CSV", "Meetings CSV"),
    "events.export_xlsx": ("会谈清单 Excel", "Meetings Excel"),
    "events.export_html": ("可打印日程", "Printable agendas"),
    "events.warnings": ("提醒", "Warnings"),
    "events.unmet": ("未能安排的必须会谈", "Must-meet pairs not scheduled"),
    "events.issues": ("检查发现的问题", "Issues found by the checker"),
    "events.planned": ("排程已生成：第 {version} 版。", "Schedule generated: version {version}."),
    "events.replanned": (
        "已重新排程：第 {version} 版（锁定的洽谈保持不动）。",
        "Re-planned: version {version} (locked meetings kept in place).",
    ),
    "events.brings": (
        "需求 {needs} · 成果 {achievements} · 场景 {scenarios}",
        "needs {needs} · achievements {achievements} · scenarios {scenarios}",
    ),
    "events.created": (
        "活动已创建。下一步：添加参会单位。",
        "Event created. Next: add participants.",
    ),
    "events.added": ("已添加 {n} 家参会单位。", "{n} participant(s) added."),
    "events.saved": ("已保存。", "Saved."),
    "events.back": ("返回活动", "Back to the event"),
    "events.own_only": ("仅显示贵单位的洽谈安排。", "Only your organisation's meetings are shown."),
    "events.not_participant": (
        "贵单位不是该活动的参会方。",
        "Your organisation is not a participant.",
    ),
    "events.score": ("匹配度", "Score"),
    "events.vs": ("与", "with"),
    "events.planning": ("正在排程，请稍候……", "Planning, please wait…"),
    "events.kind.generate": ("生成", "generated"),
    "events.kind.replan": ("重新排程", "re-planned"),
    "events.kind.cancel": ("取消参会后重排", "re-planned after a cancellation"),
    "events.status.active": ("参会", "attending"),
    "events.status.cancelled": ("已取消", "cancelled"),
    "events.confirm_cancel": (
        "确定取消该单位参会？其洽谈将被取消并重新排程。",
        "Cancel this participant? Its meetings go and the schedule is re-planned.",
    ),
    "common.yes": ("是", "yes"),
    "common.no": ("否", "no"),
    "common.none": ("—", "—"),
    "common.more": ("更多", "More"),
    "common.open": ("查看", "Open"),
    # pages the digest e-mails link to (shown in both languages: the reader may use either)
    "digest.ask-unsubscribe.title": ("退订园校企对接推送", "Unsubscribe from the digest"),
    "digest.ask-unsubscribe.body": (
        "点击下方按钮后，{email} 将不再收到推送邮件。",
        "Click to stop all digest e-mails.",
    ),
    "digest.ask-unsubscribe.button": ("确认退订", "Unsubscribe"),
    "digest.already-unsubscribed.title": ("您已退订", "Already unsubscribed"),
    "digest.already-unsubscribed.body": (
        "{email} 已不再接收推送邮件。",
        "You are already unsubscribed.",
    ),
    "digest.unsubscribed.title": ("已退订", "Unsubscribed"),
    "digest.unsubscribed.body": (
        "{email} 已退订，今后不会再收到推送邮件。",
        "You have been unsubscribed.",
    ),
    "digest.not-relevant.title": ("已记录：不相关", "Noted: not relevant"),
    "digest.not-relevant.body": (
        "谢谢反馈。{title}今后不会再推送给您。",
        "Noted: this item will not be sent to you again.",
    ),
    "digest.not-relevant.this_item": ("该条目", "this item"),
    "digest.cancelled.title": ("此订阅已退订", "This subscription was cancelled"),
    "digest.cancelled.body": (
        "如需重新订阅，请重新提交订阅。",
        "This subscription was cancelled.",
    ),
    "digest.confirmed.title": ("订阅已确认", "Subscription confirmed"),
    "digest.confirmed.body": (
        "{email} 将按{frequency}收到推送，每封邮件都附有退订链接。",
        "Subscription confirmed.",
    ),
}

TRACK_LABELS: dict[str, tuple[str, str]] = {
    "tech-transfer": ("技术转移", "Tech transfer"),
    "scenario": ("场景驱动", "Scenario-driven"),
    "east-to-guangxi": ("东部研发—广西转化", "East-to-Guangxi"),
}
TARGET_LABELS: dict[str, tuple[str, str]] = {
    "achievement": ("科技成果", "Achievements"),
    "need": ("企业需求", "Enterprise needs"),
    "scenario": ("应用场景", "Scenarios"),
    "organisation": ("解决方案提供方", "Solution providers"),
    "park": ("园区", "Parks"),
}
COOP_EN: dict[str, str] = {
    "transfer": "Transfer",
    "license": "Licence",
    "equity": "Equity",
    "joint-dev": "Joint development",
    "service": "Technical service",
}
STATUS_EN: dict[str, str] = {"active": "Open", "closed": "Closed", "draft": "Draft"}
IPR_EN: dict[str, str] = {"none": "No patent", "applied": "Applied", "granted": "Granted"}
ORG_KIND_EN: dict[str, str] = {
    "university": "University",
    "research_institute": "Research institute",
    "enterprise": "Enterprise",
    "park_management": "Park management",
    "investor": "Investor",
}
PARK_LEVEL_EN: dict[str, str] = {"national": "National", "regional": "Regional"}
_INDUSTRY = {i.code: (i.zh, i.en) for i in INDUSTRIES}


def normalise_lang(value: str | None) -> str | None:
    """'en', 'EN', 'en-US' → 'en'; 'zh', 'zh-CN' → 'zh'; anything else → None."""
    if not value:
        return None
    head = value.strip().lower()[:2]
    return head if head in LANGS else None


def translator(lang: str) -> Translator:
    """A function giving the interface string for a key in one language, formatted with kwargs."""
    pick = 1 if lang == "en" else 0

    def t(key: str, **values: Any) -> str:
        """The string for a key, formatted."""
        pair = STRINGS.get(key)
        if pair is None:
            return key
        text = pair[pick] or pair[0]
        return text.format(**values) if values else text

    return t


def _pair_label(table: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    pair = table.get(code)
    if pair is None:
        return code
    return pair[1] if lang == "en" else pair[0]


def _vocab_label(zh: dict[str, str], en: dict[str, str], code: str, lang: str) -> str:
    return (en if lang == "en" else zh).get(code, zh.get(code, code))


def labeller(lang: str) -> dict[str, Callable[[str], str]]:
    """Label functions for the domain's codes in one language (`label.industry(code)`)."""
    return {
        "industry": lambda c: _pair_label(_INDUSTRY, c, lang),
        "track": lambda c: _pair_label(TRACK_LABELS, c, lang),
        "target": lambda c: _pair_label(TARGET_LABELS, c, lang),
        "coop": lambda c: _vocab_label(COOP_MODES, COOP_EN, c, lang),
        "status": lambda c: _vocab_label(STATUSES, STATUS_EN, c, lang),
        "ipr": lambda c: _vocab_label(IPR_STATUSES, IPR_EN, c, lang),
        "org_kind": lambda c: _vocab_label(ORG_KINDS, ORG_KIND_EN, c, lang),
        "park_level": lambda c: _vocab_label(PARK_LEVELS, PARK_LEVEL_EN, c, lang),
    }
