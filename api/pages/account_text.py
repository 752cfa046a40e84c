"""Interface strings of the account pages (sign-up, login, verification, reset, my account)."""

from __future__ import annotations

from matchmaker.core import messages

STRINGS: dict[str, tuple[str, str]] = {
    "role.member": ("机构成员", "member"),
    "role.org_admin": ("机构管理员", "organisation admin"),
    "role.person": ("个人用户", "person"),
    "role.park_staff": ("园区工作人员", "park staff"),
    "nav.signup": ("注册", "Sign up"),
    "nav.account": ("我的账号", "My account"),
    "nav.review": ("审核", "Review"),
    "login.password_title": ("邮箱登录", "Log in with e-mail"),
    "login.email": ("邮箱", "E-mail"),
    "login.password": ("密码", "Password"),
    "login.forgot": ("忘记密码？", "Forgot your password?"),
    "login.no_account": ("还没有账号？注册", "No account yet? Sign up"),
    "login.key_title": ("用 API 密钥登录（工作人员）", "Log in with an API key (staff)"),
    "login.empty_password": ("请填写邮箱和密码。", "Please give your e-mail and password."),
    "signup.title": ("注册账号", "Sign up"),
    "signup.lead": (
        "注册后我们会向您的邮箱发送验证链接；验证后可申请或加入所在机构，发布需求、成果和场景。",
        "We send a verification link to your address; once verified you can request or join "
        "your organisation and publish needs, achievements and scenarios.",
    ),
    "signup.name": ("姓名", "Name"),
    "signup.password_hint": (
        "10–200 个字符，可用中文。",
        "10–200 characters, any script.",
    ),
    "signup.password2": ("再次输入密码", "Repeat the password"),
    "signup.submit": ("注册", "Sign up"),
    "signup.sent_title": ("请查收验证邮件", "Check your e-mail"),
    "signup.sent": (
        "验证链接已发送到 {email}，3 天内有效。点击链接后即可登录。",
        "A verification link was sent to {email}; it works for 3 days.",
    ),
    "verify.done_title": ("邮箱已验证", "Address verified"),
    "verify.done": ("邮箱已验证，现在可以登录了。", "Your address is verified: you can log in."),
    "verify.failed_title": ("无法验证邮箱", "The address could not be verified"),
    "verify.resend": ("重新发送验证邮件", "Send the verification e-mail again"),
    "verify.resent": (
        "如果该邮箱已注册且尚未验证，新的验证邮件已发出。",
        "If this address has an unverified account, a new link is on its way.",
    ),
    "forgot.title": ("找回密码", "Reset your password"),
    "forgot.lead": (
        "填写注册邮箱，我们会发送重设密码的链接（1 小时内有效，只能使用一次）。",
        "Give your address and we send a reset link (valid for one hour, once).",
    ),
    "forgot.submit": ("发送重设链接", "Send the link"),
    "forgot.sent": (
        "如果该邮箱已注册，重设密码的链接已发出，请查收。",
        "If this address has an account, a reset link is on its way.",
    ),
    "reset.title": ("设置新密码", "Choose a new password"),
    "reset.submit": ("保存新密码", "Save the new password"),
    "reset.done": (
        "密码已更新，所有设备上的登录均已退出，请用新密码登录。",
        "Password changed; every session was signed out. Please log in again.",
    ),
    "reset.failed_title": ("无法重设密码", "The password could not be reset"),
    "reset.again": ("重新申请重设链接", "Ask for a new link"),
    "account.title": ("我的账号", "My account"),
    "account.email_label": ("邮箱", "E-mail"),
    "account.role_label": ("角色", "Role"),
    "account.org_label": ("所属机构", "Organisation"),
    "account.no_org": ("尚未加入机构。", "You are not in an organisation yet."),
    "account.pending_join": (
        "已申请加入“{org}”，等待该机构管理员审批。",
        "You asked to join “{org}”; its admin has to approve.",
    ),
    "account.pending_request": (
        "已申请新建机构“{org}”，等待园区工作人员审批。",
        "You asked for a new organisation “{org}”; park staff have to approve.",
    ),
    "account.declined_request": (
        "机构申请“{org}”未获批准：{comment}",
        "Your organisation request “{org}” was declined: {comment}",
    ),
    "account.request_title": ("申请新建机构", "Request a new organisation"),
    "account.request_lead": (
        "您是本机构第一位注册的成员：提交机构信息，由所在园区的工作人员审核。",
        "You are the first member of your organisation: park staff will review it.",
    ),
    "account.org_name": ("机构名称", "Name"),
    "account.org_kind": ("机构类型", "Kind"),
    "account.org_province": ("省份", "Province"),
    "account.org_city": ("城市", "City"),
    "account.org_park": ("所在园区", "Park"),
    "account.org_park_none": (
        "不在园区内（由平台管理员审核）",
        "No park (a platform admin reviews)",
    ),
    "account.org_description": ("简介", "Description"),
    "account.request_submit": ("提交申请", "Send the request"),
    "account.requested": (
        "机构申请已提交，审批后会邮件通知您。",
        "Request sent; you will get an e-mail once it is decided.",
    ),
    "account.join_title": ("加入已有机构", "Join an existing organisation"),
    "account.join_org": ("机构", "Organisation"),
    "account.join_submit": ("申请加入", "Ask to join"),
    "account.joined": (
        "加入申请已提交，等待该机构管理员审批。",
        "Request sent; the organisation's admin has to approve.",
    ),
    "account.members_title": ("待审批的成员", "People waiting to join"),
    "account.members_none": ("暂无待审批的成员。", "Nobody is waiting."),
    "account.approve": ("批准", "Approve"),
    "account.decline": ("拒绝", "Decline"),
    "account.member_approved": ("已批准 {name} 加入。", "{name} has joined."),
    "account.member_declined": ("已拒绝 {name} 的加入申请。", "{name} was declined."),
    "account.everywhere": ("在所有设备上退出", "Sign out everywhere"),
    "account.everywhere_hint": (
        "结束本账号在所有浏览器和设备上的登录（包括本设备）。",
        "Ends every session of this account, on every device (this one too).",
    ),
    "account.everywhere_done": (
        "已在所有设备上退出登录。",
        "You are signed out everywhere.",
    ),
    "review.title": ("审核", "Review"),
    "review.orgs": ("待审批的机构申请", "Organisation requests"),
    "review.orgs_none": ("暂无待审批的机构申请。", "No organisation request is waiting."),
    "review.requested_by": ("申请人：{name}（{email}）", "Requested by {name} ({email})"),
    "review.comment": ("说明（退回或拒绝时必填）", "Comment (required to decline or send back)"),
    "review.org_approved": ("已批准机构“{org}”。", "Organisation “{org}” approved."),
    "review.org_declined": ("已拒绝机构“{org}”。", "Organisation “{org}” declined."),
    "review.comment_required": (
        "拒绝或退回时请填写说明。",
        "Please say why when declining or sending back.",
    ),
}

messages.register(STRINGS, "api.pages.account_text")
