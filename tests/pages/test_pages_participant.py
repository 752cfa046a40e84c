"""Browser walk of the participant side on a live server with a real SMTP server: invite →
answer by the e-mailed link (phone width) → request and accept a meeting → plan → agenda e-mail
with .ics → check-in → a no-show cancelled and re-planned → one e-mail with only the change."""

from __future__ import annotations

import json
import os
import re
import urllib.request
from typing import Any

import pytest

if not os.environ.get("CI"):  # in CI a missing selenium fails the run instead
    pytest.importorskip("selenium", reason="selenium not installed")

from icalendar import Calendar  # noqa: E402
from pages_helpers import (  # noqa: E402
    accessibility_problems,
    click_and_wait,
    page_overflow,
    phone,
    shoot,
    wait_css,
)
from selenium.webdriver.common.by import By  # noqa: E402

EVENT = {
    "name": "人工智能硬件对接会（参会方流程）",
    "date": "2027-04-20",
    "description": "机器视觉、智能终端与算力硬件的一对一洽谈。",
    "industries": ["ai-hardware"],
    "sessions": [{"name": "上午场", "start": "09:00", "end": "11:00", "slot_minutes": 20}],
    "tables": 3,
}


def call(server: Any, method: str, path: str, body: Any = None) -> Any:
    """The JSON API as the organiser."""
    request = urllib.request.Request(
        server.url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"X-API-Key": server.keys["organiser"], "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def mails_to(server: Any, address: str) -> list[Any]:
    return [r.message for r in server.mail.to(address)]


def body(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


def link(server: Any, address: str) -> str:
    found = re.search(
        r"http://127\.0\.0\.1:\d+/events/rsvp/\S+", body(mails_to(server, address)[0])
    )
    assert found is not None, "no answer link in the invitation"
    return found.group(0)


def test_invite_answer_request_plan_agenda_and_change(browser: Any, live_server: Any) -> None:
    event = call(live_server, "POST", "/api/v1/events", EVENT)["id"]
    base = f"/api/v1/events/{event}"
    ranked = call(live_server, "GET", f"{base}/candidates?themed_only=true&limit=3")["items"]
    assert len(ranked) == 3 and ranked[0]["fit"] >= ranked[-1]["fit"] > 0
    people = {name: c for name, c in zip("abc", ranked, strict=True)}
    sent = call(
        live_server,
        "POST",
        f"{base}/invitations",
        {
            "invitations": [
                {"organisation_id": c["organisation_id"], "email": f"{name}@example.cn"}
                for name, c in people.items()
            ]
        },
    )
    assert sent["mailing"]["sent"] == 3
    assert all(len(mails_to(live_server, f"{x}@example.cn")) == 1 for x in "abc")

    # a and b accept on a phone; c declines.
    phone(browser)
    browser.get(link(live_server, "a@example.cn"))
    assert EVENT["name"] in wait_css(browser, "h1").text
    assert page_overflow(browser) == 0
    browser.find_element(By.ID, "max-meetings").send_keys("3")
    browser.find_element(By.ID, "looking-for").send_keys("寻找视觉检测算法合作")
    click_and_wait(browser, browser.find_element(By.ID, "send-answer"))
    assert wait_css(browser, "#rsvp-status").text == "已接受邀请"
    browser.get(link(live_server, "b@example.cn"))
    click_and_wait(browser, wait_css(browser, "#send-answer"))
    browser.get(link(live_server, "c@example.cn"))
    browser.find_element(By.ID, "accept-no").click()
    click_and_wait(browser, browser.find_element(By.ID, "send-answer"))
    assert wait_css(browser, "#rsvp-status").text == "已谢绝邀请"
    status = call(live_server, "GET", f"{base}/invitations")
    assert status["summary"] == {"pending": 0, "accepted": 2, "declined": 1, "total": 3}
    pid = {
        name: next(
            i["participant_id"]
            for i in status["items"]
            if i["organisation_id"] == c["organisation_id"]
        )
        for name, c in people.items()
    }

    # a asks b for a meeting; b accepts on its page.
    browser.get(link(live_server, "a@example.cn"))
    card = wait_css(browser, f"#partner-{pid['b']}")
    assert people["b"]["name"] in card.text
    click_and_wait(browser, card.find_element(By.CSS_SELECTOR, "button[value=request]"))
    assert "您已发出邀约" in wait_css(browser, f"#partner-{pid['b']}").text
    browser.get(link(live_server, "b@example.cn"))
    card = wait_css(browser, f"#partner-{pid['a']}")
    assert "对方向您发出了会谈邀约" in card.text
    click_and_wait(browser, card.find_element(By.CSS_SELECTOR, "button[value=accept]"))
    assert accessibility_problems(browser) == []
    shoot(browser, "participant-partners-phone")

    # The organiser plans and sends agendas: a and b each get one, with an .ics.
    call(live_server, "POST", f"{base}/plan", {"time_limit": 5})
    assert call(live_server, "POST", f"{base}/agendas/send")["sent"] == 2
    assert call(live_server, "POST", f"{base}/agendas/send")["sent"] == 0
    agenda = mails_to(live_server, "a@example.cn")[-1]
    assert "日程" in str(agenda["Subject"]) and people["b"]["name"] in body(agenda)
    [ics] = [p for p in agenda.iter_attachments() if p.get_content_type() == "text/calendar"]
    entries = Calendar.from_ical(ics.get_content()).walk("VEVENT")
    assert any(f"with{pid['b']}@" in str(e["uid"]) for e in entries)
    assert len(mails_to(live_server, "c@example.cn")) == 1, "a decliner gets no agenda"
    browser.get(link(live_server, "a@example.cn"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#agenda .agenda-row")
    assert len(rows) == len(entries) and "双方已约定会谈" in wait_css(browser, "#agenda").text
    assert browser.find_element(By.ID, "ics").get_attribute("href").endswith("/agenda.ics")
    assert page_overflow(browser) == 0
    shoot(browser, "participant-agenda-phone")

    # On the day: a's agenda page and e-mail carry a QR code of its check-in link; scanning it
    # (opening the link on a phone) and tapping once checks a in. b does not come (a no-show):
    # the organiser cancels it, a minimal-change re-plan refills its places and a gets one
    # e-mail with only the change.
    assert wait_css(browser, "#checkin-qr svg").is_displayed()
    assert any(p.get_filename() == "checkin-qr.png" for p in agenda.iter_attachments())
    scanned = re.search(r"http://127\.0\.0\.1:\d+/events/checkin/\S+", body(agenda))
    assert scanned is not None, "no check-in link in the agenda e-mail"
    browser.get(scanned.group(0))
    assert people["a"]["name"] in wait_css(browser, "#checkin-h").text
    assert page_overflow(browser) == 0
    click_and_wait(browser, browser.find_element(By.ID, "confirm-check-in"))
    assert "签到成功" in wait_css(browser, "#checked-in").text
    shoot(browser, "participant-qr-check-in-phone")
    browser.get(link(live_server, "a@example.cn"))
    assert "已签到" in wait_css(browser, "#checked-in").text
    forged = scanned.group(0)[:-3] + "abc"
    browser.get(forged)
    assert "签到链接无效" in wait_css(browser, "main").text
    listed = call(live_server, "GET", f"{base}/participants")
    arrived = {p["id"]: p["checked_in_at"] for p in listed}
    assert arrived[pid["a"]] is not None and arrived[pid["b"]] is None
    before = len(mails_to(live_server, "a@example.cn"))
    call(live_server, "POST", f"{base}/participants/{pid['b']}/no-show")
    call(live_server, "POST", f"{base}/agendas/send")
    change = mails_to(live_server, "a@example.cn")[before:]
    assert len(change) == 1
    text = body(change[0])
    assert "取消 Cancelled" in text and people["b"]["name"] in text
    assert text.count("新增 New") + text.count("调整 Moved") + text.count("取消 Cancelled") >= 1

    # Every participant got exactly one invitation, one agenda and one e-mail per change.
    assert call(live_server, "POST", f"{base}/agendas/send")["sent"] == 0, "nothing twice"
    kinds = {
        x: [str(m["Subject"]).split("：")[0] for m in mails_to(live_server, f"{x}@example.cn")]
        for x in "abc"
    }
    for x in "ab":
        assert "邀请函" in kinds[x][0], kinds[x]
        assert sum("您的洽谈日程" in k for k in kinds[x]) == 1, kinds[x]
    assert len(kinds["a"]) == 3, kinds["a"]  # invitation, agenda, the no-show change
    assert len(kinds["b"]) == 3, kinds["b"]  # the no-show is told its meetings are cancelled
    for x in "ab":  # one invitation, one agenda and one change e-mail (the no-show) each
        assert [sum(w in k for k in kinds[x]) for w in ("邀请函", "日程", "日程变更")] == [
            1,
            2,
            1,
        ], kinds[x]
    assert len(kinds["c"]) == 1, kinds["c"]  # a decliner only gets the invitation
