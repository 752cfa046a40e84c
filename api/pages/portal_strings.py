"""Strings of the participant's page (opened from the invitation e-mail's signed link)."""

from __future__ import annotations

from matchmaker.core import messages

STRINGS: dict[str, tuple[str, str]] = {
    "portal.title": ("我的参会页", "My event page"),
    "portal.invited": ("{org} 受邀参加", "{org} is invited to"),
    "portal.deadline": ("请在 {when}（北京时间）前回复", "Please answer by {when} (Beijing time)"),
    "portal.status": ("回复状态", "Your answer"),
    "portal.status.pending": ("尚未回复", "Not answered yet"),
    "portal.status.accepted": ("已接受邀请", "You accepted"),
    "portal.status.declined": ("已谢绝邀请", "You declined"),
    "portal.answer": ("回复邀请", "Answer the invitation"),
    "portal.accept": ("接受，参加洽谈", "Accept: we will attend"),
    "portal.decline": ("谢绝", "Decline"),
    "portal.slots": (
        "可参会时段（不选 = 全部可以）",
        "Time slots you can meet in (none ticked = all)",
    ),
    "portal.max_meetings": ("最多会谈场数", "Most meetings you can take"),
    "portal.prefer": ("更希望的时段（可不选）", "Times you would prefer (optional)"),
    "portal.prefer_hint": (
        "只是偏好：排程会尽量安排在这些时段，排不下时也可能安排在其他可参会时段。",
        "A preference only: meetings go there when they can, otherwise in your other free times.",
    ),
    "portal.languages": (
        "需要的语言（用逗号分隔，如 英语、越南语）",
        "Languages you need (comma-separated)",
    ),
    "portal.looking_for": ("希望对接什么", "What you are looking for"),
    "portal.save": ("提交回复", "Send answer"),
    "portal.saved": ("已保存您的回复", "Your answer was saved"),
    "portal.partners": ("推荐洽谈对象", "Recommended partners"),
    "portal.partners_lead": (
        "按与您的契合度排序。发出会谈邀约后需对方接受；“希望会谈”提高排程优先级；“不感兴趣”则不会安排。",
        "Best fit first. A meeting request waits for the other side; a wish raises the pair's "
        "priority; not interested means you will not be seated together.",
    ),
    "portal.fit": ("契合度", "Fit"),
    "portal.request": ("发出会谈邀约", "Request a meeting"),
    "portal.wish": ("希望会谈", "Would like to meet"),
    "portal.not_interested": ("不感兴趣", "Not interested"),
    "portal.withdraw": ("撤回", "Withdraw"),
    "portal.accept_request": ("接受邀约", "Accept request"),
    "portal.decline_request": ("谢绝邀约", "Decline request"),
    "portal.mine.request": ("您已发出邀约", "You asked for a meeting"),
    "portal.mine.wish": ("您希望会谈", "You would like to meet"),
    "portal.mine.not_interested": ("您标记为不感兴趣", "You are not interested"),
    "portal.state.pending": ("等待对方回复", "waiting for an answer"),
    "portal.state.accepted": ("对方已接受", "accepted"),
    "portal.state.declined": ("对方已谢绝", "declined"),
    "portal.theirs": ("对方向您发出了会谈邀约", "They asked you for a meeting"),
    "portal.no_partners": (
        "其他参会方确认后会显示在这里。",
        "Other participants appear here once they accept.",
    ),
    "portal.agenda": ("我的日程", "My agenda"),
    "portal.no_agenda": (
        "日程排定后会显示在这里，并发送到您的邮箱。",
        "Your agenda appears here once planned, and is e-mailed to you.",
    ),
    "portal.time": ("时间", "Time"),
    "portal.table": ("桌号", "Table"),
    "portal.partner": ("洽谈对象", "Partner"),
    "portal.topic": ("话题", "Topic"),
    "portal.why": ("为什么见面", "Why"),
    "portal.download_ics": ("下载日历（.ics）", "Download calendar (.ics)"),
    "portal.download_csv": ("下载表格（CSV）", "Download table (CSV)"),
    "portal.saved_request": ("已记录", "Saved"),
    "portal.check_in": ("我已到场（签到）", "I'm here (check in)"),
    "portal.checked_in": ("已签到，祝洽谈顺利", "Checked in: have good meetings"),
    "portal.qr": (
        "到场签到二维码：在签到处出示，或用手机扫描后点“确认签到”。",
        "Check-in QR code: show it at the desk, or scan it and tap “Check in”.",
    ),
    "portal.outcome": ("会谈结果：", "How did it go:"),
    "portal.outcome.met": ("已会谈", "Met"),
    "portal.outcome.follow_up": ("将跟进", "Follow-up"),
    "portal.outcome.not_useful": ("无价值", "Not useful"),
    "portal.outcome_saved": ("已记录会谈结果，谢谢", "Outcome saved, thank you"),
    "checkin.title": ("到场签到", "Check-in"),
    "checkin.ask": ("请确认该参会方已到场。", "Confirm that this participant has arrived."),
    "checkin.button": ("确认签到", "Check in"),
    "checkin.done": ("签到成功，祝洽谈顺利！", "Checked in: have good meetings!"),
    "checkin.already": ("已签到（无需重复操作）。", "Already checked in: nothing more to do."),
    "events.invitations": ("邀请与回复", "Invitations and answers"),
    "events.my_agenda": ("下载我的日程", "Download my agenda"),
    "events.rsvp_summary": (
        "共邀请 {total} 家：已接受 {accepted}，已谢绝 {declined}，待回复 {pending}",
        "{total} invited: {accepted} accepted, {declined} declined, {pending} not answered",
    ),
    "events.invite_email": ("按契合度邀请（发送邮件链接）", "Invite by fit (e-mailed link)"),
    "events.invite_org": ("机构（按与活动主题的契合度排序）", "Organisation (best fit first)"),
    "events.invite_address": ("收件邮箱", "E-mail"),
    "events.invite_contact": ("联系人（可选）", "Contact (optional)"),
    "events.invite_send": ("发送邀请", "Send invitation"),
    "events.invited": (
        "已发送 {sent} 封邀请，失败 {failed} 封",
        "{sent} invitation(s) sent, {failed} failed",
    ),
    "events.fit": ("契合度", "Fit"),
    "events.rsvp_status": ("回复", "Answer"),
    "events.emails_sent": ("已发邮件", "E-mails sent"),
    "plan.confirm.title": ("确认重新生成方案", "Confirm a full regenerate"),
    "plan.confirm.body": (
        "重新生成会按当前设置从头排程（锁定会谈保持不动）：保留 {kept} 场，移动 {moved} 场，新增 {added} 场，"
        "取消 {removed} 场，涉及 {affected} 个参会方的日程。",
        "Regenerating plans from scratch (locked meetings stay): {kept} kept, {moved} moved, "
        "{added} added, {removed} removed; {affected} participants' agendas change.",
    ),
    "plan.confirm.hint": (
        "只想少改动？请改用“重新排程”，它尽量保留已排好的会谈。",
        "Want few changes? Use re-plan instead: it keeps as many meetings as it can.",
    ),
    "plan.confirm.yes": ("确认重新生成", "Regenerate"),
    "plan.confirm.no": ("取消", "Cancel"),
}

messages.register(STRINGS, "api.pages.portal_strings")
