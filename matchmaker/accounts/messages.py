"""Texts of accounts, organisation requests and self-service publishing (Chinese first)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # fields and refusals
    "account.email.invalid": ("邮箱地址无效，请检查后重试。", "This e-mail address is not valid."),
    "account.email.taken": (
        "该邮箱已注册，请直接登录；忘记密码可找回。",
        "This address already has an account: log in, or reset the password.",
    ),
    "account.name.length": (
        "请填写姓名（最多 {high} 个字）。",
        "Please give your name (at most {high} characters).",
    ),
    "account.password.length": (
        "密码须为 {low}–{high} 个字符。",
        "The password must have {low}–{high} characters.",
    ),
    "account.password.weak": (
        "密码过于简单（字符种类太少），请换一个。",
        "This password is too simple; please choose another.",
    ),
    "account.password.mismatch": ("两次输入的密码不一致。", "The two passwords differ."),
    "account.login.unverified": (
        "该账号的邮箱尚未验证，请先点击验证邮件中的链接。",
        "Please verify your e-mail address first (see the link we sent).",
    ),
    "account.login.wrong": ("邮箱或密码不正确。", "Wrong e-mail address or password."),
    "account.link.invalid": (
        "链接无效或已被篡改，请重新申请。",
        "This link is not valid (it may have been altered); please ask for a new one.",
    ),
    "account.link.expired": (
        "链接已过期，请重新申请。",
        "This link has expired; please ask for a new one.",
    ),
    "account.link.used": (
        "链接已使用过，不能再次使用。",
        "This link has already been used.",
    ),
    "account.link.verified_already": (
        "该邮箱已经验证过，请直接登录。",
        "This address is already verified: please log in.",
    ),
    "account.unknown": ("没有使用该邮箱的账号。", "No account has this address."),
    "account.role.unknown": ("未知角色，可选：{roles}", "Unknown role; one of: {roles}"),
    "account.role.park_needed": (
        "园区工作人员必须指定园区（--park）。",
        "Park staff need a park (--park).",
    ),
    "account.delete.password": (
        "密码不正确，账号未删除。",
        "Wrong password: the account was not deleted.",
    ),
    "account.invite.other": (
        "该邀请发给了另一个邮箱，请用收到邀请的邮箱注册或登录。",
        "This invitation is for another address: sign up or log in with the invited one.",
    ),
    "account.invite.used": ("您已加入该机构，邀请链接无需再次使用。", "You already joined."),
    "account.mail.invite_subject": ("邀请您加入机构 · 园校企对接平台", "You are invited"),
    "account.mail.invite": (
        "{inviter} 邀请您加入“{org}”。请用本邮箱注册或登录后，在 7 天内点击下面的链接加入：",
        "{inviter} invites you to join “{org}”. Sign up or log in with this address, then "
        "click within 7 days:",
    ),
    # e-mails
    "account.mail.hello": ("{name}，您好：", "Hello {name},"),
    "account.mail.verify_subject": (
        "请验证您的邮箱 · 园校企对接平台",
        "Verify your e-mail address",
    ),
    "account.mail.verify": (
        "感谢注册园校企对接平台。请在 3 天内点击下面的链接验证邮箱：",
        "Please click the link below within 3 days to verify your address:",
    ),
    "account.mail.verify_en": (
        "Thank you for signing up. Please click the link above within 3 days to verify your address.",
        "",
    ),
    "account.mail.reset_subject": ("重设密码 · 园校企对接平台", "Reset your password"),
    "account.mail.reset": (
        "我们收到了重设密码的请求。请在 1 小时内点击下面的链接设置新密码：",
        "Click the link below within one hour to choose a new password:",
    ),
    "account.mail.reset_en": (
        "We received a request to reset your password; the link above works for one hour, once.",
        "",
    ),
    "account.mail.ignore": (
        "如果这不是您本人的操作，请忽略本邮件。/ If this was not you, ignore this e-mail.",
        "",
    ),
    "account.field": ("{field}：{reason}", "{field}: {reason}"),
    # organisations
    "account.org.verified_first": (
        "请先验证邮箱，再申请或加入机构。",
        "Verify your e-mail address before requesting or joining an organisation.",
    ),
    "account.org.already": (
        "您已属于一个机构（或申请待审批）。",
        "You already belong to an organisation (or a request is pending).",
    ),
    "account.org.pending_request": (
        "您已有一个待审批的机构申请。",
        "You already have an organisation request waiting for approval.",
    ),
    "account.org.unknown": ("机构不存在。", "No such organisation."),
    "account.org.unknown_park": ("所选园区不存在。", "No such park."),
    "account.org.request_gone": (
        "该申请不存在或已处理。",
        "This request does not exist or was already decided.",
    ),
    "account.org.not_reviewer": (
        "您无权审批该园区的申请。",
        "You may not decide requests of this park.",
    ),
    "account.org.member_gone": (
        "该成员申请不存在或已处理。",
        "This membership request does not exist or was already decided.",
    ),
    "account.org.not_admin": (
        "只有本机构管理员（或所在园区工作人员）可以审批成员。",
        "Only the organisation's admin (or its park's staff) may approve members.",
    ),
    "account.org.last_admin": (
        "您是该机构唯一的管理员，不能这样做。",
        "You are the organisation's only admin.",
    ),
    "account.mail.org_approved_subject": ("机构申请已批准", "Organisation approved"),
    "account.mail.org_approved": (
        "您申请的机构“{org}”已通过审核，您现在是该机构的管理员，可以发布需求、成果和场景。",
        "Your organisation “{org}” was approved; you are its admin.",
    ),
    "account.mail.org_declined_subject": ("机构申请未获批准", "Organisation not approved"),
    "account.mail.org_declined": (
        "您申请的机构“{org}”未获批准。说明：{comment}",
        "Your organisation “{org}” was not approved. Comment: {comment}",
    ),
    # introductions
    "intro.members_only": (
        "只有已加入机构的成员可以请求对接。",
        "Only members of an organisation may ask for introductions.",
    ),
    "intro.no_item": ("该条目不存在或未发布。", "No such published item."),
    "intro.no_owner": (
        "该条目没有发布单位，无法请求对接。",
        "This item has no organisation to ask.",
    ),
    "intro.own_item": ("这是本机构的条目。", "This item is your organisation's own."),
    "intro.message_length": (
        "请写一段留言（最多 {high} 字）。",
        "Please write a short message (at most {high} characters).",
    ),
    "intro.already": (
        "本机构已就该条目请求过对接，请等待对方回复。",
        "Your organisation already asked about this item; please wait for the answer.",
    ),
    "intro.too_many": (
        "本机构今日的对接请求已达 {n} 次上限，请明天再试。",
        "Your organisation reached today's limit of {n} introduction requests.",
    ),
    "intro.too_many_person": (
        "您今日已发出 {n} 个对接请求，已达上限，请明天再试。",
        "You reached today's limit of {n} introduction requests.",
    ),
    "intro.source_required": (
        "请选择本机构的哪一项需求、成果或场景提出对接。",
        "Choose which of your organisation's items this request is for.",
    ),
    "intro.bad_source": (
        "所选条目不是本机构已发布的、能与该条目配对的需求、成果或场景。",
        "The chosen item is not a published item of your organisation that pairs with this one.",
    ),
    "intro.gone": ("该对接请求不存在。", "No such introduction."),
    "intro.decided": ("该请求已处理。", "This request was already answered."),
    "intro.step_order": (
        "请按顺序记录：接受后才能记录见面，见面或接受后才能记录签约。",
        "Record the steps in order: met after accepted, signed after that.",
    ),
    "intro.mail.request_subject": ("新的对接请求", "New introduction request"),
    "intro.mail.request": (
        "“{org}”希望就贵单位发布的“{title}”进行对接，留言如下。请登录平台接受或婉拒：",
        "“{org}” asks for an introduction about “{title}”:",
    ),
    "intro.mail.accepted_subject": ("对接请求已被接受", "Introduction accepted"),
    "intro.mail.accepted": (
        "您就“{title}”提出的对接请求已被接受，登录平台即可查看对方联系方式：",
        "Your introduction request about “{title}” was accepted:",
    ),
    "intro.mail.declined_subject": ("对接请求未被接受", "Introduction declined"),
    "intro.mail.declined": (
        "您就“{title}”提出的对接请求未被接受。",
        "Your introduction request about “{title}” was declined.",
    ),
}
