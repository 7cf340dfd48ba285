"""What people do on the web pages, in a real browser: a parent books and sees the price, a
parent's mistake is explained next to the field, staff check a child in at the kiosk, union staff
reject an application with a reason."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect

from services.enrollment.domain.identity import check_digit
from testkit.city import SUMMER, City, Parent, Union, token
from testkit.funds import members_discount
from tests.support.polling import eventually
from tests.web.conftest import OpenContext, Site, snap

# What another service must first hear of over Kafka (the fee from subsidy, a message from notify)
# may take seconds on a busy machine: a deadline for it, not a measure of speed.
ACROSS_SERVICES_MS = 30_000
TODAY = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()  # Asia/Shanghai, the sites' day


async def summer_class(city: City, **options: Any) -> tuple[Union, uuid.UUID]:
    """A union with a 1+N network and a class in summer 2027 (options as in testkit's class_body)."""
    union = await city.union("武钢工会")
    return union, await city.klass(await city.network(union), **options)


async def sign_in(page: Page, site: Site, role: str, **ids: uuid.UUID) -> None:
    await page.goto(f"{site.url}/signin")
    await snap(page, "signin")
    await page.get_by_label("身份").select_option(role)
    for name, value in ids.items():
        await page.locator(f"#{name}").fill(str(value))
    await page.get_by_role("button", name="登录").click()
    # Signed in once the answer has left the sign-in page: a goto before then would cut the
    # sign-in short, and the next page would find no session.
    await expect(page).not_to_have_url(re.compile(r"/signin"))


async def test_a_parent_signs_in_registers_a_child_books_a_day_and_sees_the_price(
    site: Site, city: City, page: Page
) -> None:
    union, class_id = await summer_class(city, fee=4500)
    await members_discount(site.services["subsidy"].url, union.staff, percent_bp=1500)

    await sign_in(page, site, "parent", union=union.union_id)
    await expect(page.get_by_role("heading", name="我的托管")).to_be_visible()
    await page.get_by_label("孩子姓名").fill("小明")
    await page.get_by_label("出生日期").fill("2017-09-01")
    await page.get_by_label("您的姓名").fill("王芳")
    await page.get_by_role("button", name="登记孩子").click()
    await expect(page.get_by_text("小明")).to_be_visible()
    await snap(page, "parent-home")

    await page.get_by_label("孩子年龄（周岁）").fill("8")
    await page.get_by_label("只看有空位的").check()
    await page.get_by_role("button", name="查找").click()
    await expect(page.locator("#search-results li")).to_have_count(1)  # the union's one class
    await snap(page, "parent-search")
    await page.locator(f'#search-results a[href="/parent/classes/{class_id}"]').click()
    await expect(page.get_by_text("¥45.00")).to_be_visible()
    await page.get_by_label("2027-07-06").check()
    await snap(page, "parent-class")
    await page.get_by_role("button", name="预约所选日期").click()

    await expect(page.locator("#booking-status")).to_have_text("已确认")
    await expect(page.locator("#booking-days")).to_contain_text("2027-07-06")
    await expect(page.locator("#fee")).to_have_text("¥45.00", timeout=ACROSS_SERVICES_MS)  # once subsidy has heard
    await expect(page.locator("#subsidy")).to_have_text("¥6.75")  # the members' 15 %
    await expect(page.locator("#to-pay")).to_have_text("¥38.25")
    await snap(page, "parent-booking")


async def test_a_parents_impossible_birth_date_is_explained_next_to_the_field_in_plain_words(
    site: Site, page: Page
) -> None:
    await sign_in(page, site, "parent", union=uuid.uuid4())
    await page.get_by_label("孩子姓名").fill("小红")
    await page.get_by_label("出生日期").fill((TODAY + dt.timedelta(days=30)).isoformat())
    await page.get_by_label("您的姓名").fill("李娜")
    await page.get_by_role("button", name="登记孩子").click()

    await expect(page.locator("#birth_date-error")).to_have_text("出生日期不能晚于今天。")
    await snap(page, "parent-error")
    await expect(page.get_by_label("出生日期")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#display_name-error")).to_have_count(0)

    await page.get_by_role("link", name="English").click()
    await page.get_by_label("Class number (from the notice or its QR code)").fill("not-a-number")
    await page.get_by_role("button", name="Open").first.click()
    await expect(page.locator("#class_id-error")).to_have_text("That number is not in the right form.")


async def test_site_staff_pick_their_site_and_class_check_a_child_in_and_hand_them_to_an_adult_chosen_by_name(
    site: Site, city: City, page: Page
) -> None:
    union = await city.union("武钢工会")
    network = await city.network(union, starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=7))
    class_id = await city.klass(network, days=[TODAY])
    parent = city.parent(union)
    child = await city.child(parent, name="小刚")
    await city.book(parent, child["child_id"], class_id, days=[TODAY])
    staff = token("provider_staff", provider_id=network.provider_id)
    async with httpx.AsyncClient(base_url=site.services["attendance"].url, timeout=10) as http:

        async def on_roster() -> bool:
            found = await http.get(f"/classes/{class_id}/roster/{TODAY}", headers={"Authorization": f"Bearer {staff}"})
            return found.status_code == 200 and bool(found.json()["children"])

        await eventually(on_roster)

    await page.clock.install()  # the page's own timers, moved on below rather than waited for
    await sign_in(page, site, "provider_staff", provider=network.provider_id)
    await page.get_by_label("托管班编号").fill("not-a-number")  # the number stays as a fallback
    await page.get_by_role("button", name="打开").click()
    await expect(page.locator("#class_id-error")).to_have_text("编号格式不对，请检查。")
    await expect(page.locator("#sites li").first).to_have_text(re.compile(r"站点0\s+· 今天 1 个班"))  # today's first
    await snap(page, "kiosk-sites")
    await page.locator("#sites").get_by_role("link", name="站点0").click()
    classes = page.locator("#classes")
    await expect(classes).to_contain_text("未到 1 · 在园 0 · 缺勤 0 · 已接走 0")
    await snap(page, "kiosk-classes")
    await classes.get_by_role("link", name="小学托管班").click()
    await expect(page.locator("#count-expected")).to_have_text("1")
    row = page.locator(f"#child-{child['child_id']}")
    await row.get_by_label("体温（°C）").fill("46")
    await row.get_by_role("button", name="签到").click()
    await expect(row.get_by_role("alert")).to_have_text("体温应在 34.0 到 43.0 °C 之间，请重新测量。")
    await snap(page, "kiosk-error")

    await row.get_by_label("体温（°C）").fill("36.6")
    await row.get_by_role("button", name="签到").click()
    await expect(row.get_by_role("status")).to_have_text("已签到")
    await expect(row.locator(".status")).to_have_text("在园")
    await page.reload()
    await expect(page.locator("#count-present")).to_have_text("1")
    await expect(page.locator("#count-expected")).to_have_text("0")
    await snap(page, "kiosk-roster")

    await expect(row.get_by_role("radio")).to_have_count(2)  # the grandmother and the guardian, by name
    assert await row.get_by_role("radio").first.evaluate("r => r.validity.valueMissing"), "one must be chosen"
    await row.get_by_label("王奶奶（grandmother）").press("Space")  # chosen with the keyboard
    await expect(row.get_by_label("王奶奶（grandmother）")).to_be_checked()
    await snap(page, "kiosk-pickup")
    await row.get_by_role("button", name="发送接送码").click()
    await expect(row.get_by_role("status")).to_contain_text("王奶奶")
    code = await eventually(lambda: pickup_code(site, parent))
    await row.get_by_label("家长手机上的 6 位接送码").fill("000000" if code != "000000" else "111111")
    await row.get_by_role("button", name="确认交接").click()
    await expect(row.get_by_role("alert")).to_be_visible()  # a wrong code hands no child over
    await row.get_by_label("家长手机上的 6 位接送码").fill(code)
    await row.get_by_role("button", name="确认交接").click()
    await expect(row.get_by_role("status")).to_have_text("已交给 王奶奶")
    await page.clock.fast_forward("05")  # the live counts refresh every 5 s, without a reload
    await expect(page.locator("#count-picked_up")).to_have_text("1")
    await expect(page.locator("#count-present")).to_have_text("0")
    await page.get_by_role("link", name="换一个托管班").click()
    await expect(classes).to_contain_text("未到 0 · 在园 0 · 缺勤 0 · 已接走 1")

    await sign_in(page, site, "union_staff", union=union.union_id)  # the union sees the day in its figures
    await expect(page.locator("#attendance-today")).to_contain_text("预约1 在园1 缺勤0")


async def save_pick_up_adults(page: Page, listed: str, new: tuple[str, str, str]) -> None:
    """The listed adult's ID-card number typed again (the page shows it masked) and a new adult."""
    await page.locator("#id_number-0").fill(listed)
    for name, value in zip(("adult_name", "relationship", "id_number"), new, strict=True):
        await page.locator(f"#{name}-1").fill(value)
    await page.get_by_role("button", name="保存接送人").click()


async def test_a_parent_is_told_a_mistyped_id_card_number_then_saves_the_pick_up_adults_and_reports_an_absence(
    site: Site, city: City, page: Page
) -> None:
    union, class_id = await summer_class(city)
    parent = city.parent(union)
    child = await city.child(parent, name="小华")
    await city.book(parent, child["child_id"], class_id, days=SUMMER[:2])
    grandma, neighbour = (f"{first17}{check_digit(first17)}" for first17 in ("11010519491231002", "41010519800101123"))
    wrong = neighbour[:17] + ("0" if neighbour[17] != "0" else "1")

    await sign_in(page, site, "parent", union=union.union_id, member=parent.member_id)
    await page.get_by_role("link", name="联系人与接送人").click()
    await save_pick_up_adults(page, grandma, ("张阿姨", "邻居", wrong))
    await expect(page.locator("#id_number-1-error")).to_have_text(
        "身份证号码最后一位（校验码）与前 17 位不符，请核对号码。"
    )
    await expect(page.locator("#id_number-0-error")).to_have_count(0)

    await save_pick_up_adults(page, grandma, ("张阿姨", "邻居", neighbour))
    await expect(page.get_by_role("status")).to_have_text("已保存")
    await expect(page.locator("fieldset legend").nth(1)).to_have_text("张阿姨")

    await page.get_by_label("不来的日期").select_option(SUMMER[1].isoformat())
    await page.get_by_role("button", name="提交请假").click()
    await expect(page.locator("#absence-done")).to_have_text(f"已请假：{SUMMER[1].isoformat()}")
    await snap(page, "parent-child")


async def pickup_code(site: Site, parent: Parent) -> str:
    """The code the guardians received (in the app), as the adult would show it on a phone."""
    async with httpx.AsyncClient(base_url=site.services["notify"].url, timeout=10) as http:
        found = await http.get(
            f"/guardians/{parent.member_id}/notifications", headers={"Authorization": f"Bearer {parent.token}"}
        )
    codes = [m["body"] for m in found.json()["notifications"] if m["source_type"] == "pickup.code_issued"]
    return match[0] if codes and (match := re.search(r"\d{6}", codes[0])) else ""


async def test_a_parent_sees_the_enrolment_arrive_in_the_inbox_without_a_reload(
    site: Site, city: City, page: Page
) -> None:
    union, class_id = await summer_class(city)
    parent = city.parent(union)
    child = await city.child(parent, name="小丽")
    await sign_in(page, site, "parent", union=union.union_id, member=parent.member_id)
    await page.get_by_role("link", name="消息").click()
    await expect(page.locator("#inbox")).to_contain_text("暂无消息")
    await page.evaluate("window.stillTheSamePage = true")

    await city.book(parent, child["child_id"], class_id, days=SUMMER[:2])

    await expect(page.locator("#inbox")).to_contain_text("小丽 已报名托管班", timeout=ACROSS_SERVICES_MS)
    assert await page.evaluate("window.stillTheSamePage === true"), "the message came without a reload"
    await snap(page, "parent-inbox")


async def an_application_waiting_for_staff(site: Site, city: City) -> tuple[Union, Parent, dict[str, Any]]:
    """A parent booked a day of a union whose subsidy policy leaves every decision to staff."""
    union, class_id = await summer_class(city)
    await members_discount(site.services["subsidy"].url, union.staff, auto_approve_up_to_fen=0)
    parent = city.parent(union)
    child = await city.child(parent)
    booking = (await city.book(parent, child["child_id"], class_id, days=[SUMMER[0]])).json()
    async with httpx.AsyncClient(base_url=site.services["subsidy"].url, timeout=10) as http:

        async def pending() -> list:
            found = await http.get(
                f"/bookings/{booking['booking_id']}/applications", headers={"Authorization": f"Bearer {union.staff}"}
            )
            return [a for a in found.json()["applications"] if a["status"] == "pending_review"]

        (application,) = await eventually(pending)
    return union, parent, application


async def open_application(page: Page, site: Site, union: Union, application: dict[str, Any]) -> None:
    await sign_in(page, site, "union_staff", union=union.union_id)
    await expect(page.get_by_role("heading", name="工会看板")).to_be_visible()
    await page.locator(f'#pending-applications a[href$="{application["application_id"]}"]').click()
    await expect(page.locator("#application-status")).to_have_text("待审核")


async def test_union_staff_approve_an_application_and_the_parent_sees_the_subsidy(
    site: Site, city: City, page: Page, new_context: OpenContext
) -> None:
    union, parent, application = await an_application_waiting_for_staff(site, city)
    await open_application(page, site, union, application)
    await page.get_by_role("button", name="批准").click()
    await expect(page.locator("#application-status")).to_have_text("已批准")

    family = await (await new_context()).new_page()  # the parent's own phone
    await sign_in(family, site, "parent", union=union.union_id, member=parent.member_id)
    await family.goto(f"{site.url}/parent/bookings/{application['booking_id']}")
    await expect(family.locator("#statement")).to_contain_text("¥6.75 · 已批准", timeout=ACROSS_SERVICES_MS)
    await expect(family.locator("#subsidy")).to_have_text("¥6.75")  # 15 % of ¥45.00
    await expect(family.locator("#to-pay")).to_have_text("¥38.25")


async def test_union_staff_reject_an_application_with_a_reason_on_the_dashboard(
    site: Site, city: City, page: Page
) -> None:
    union, _, application = await an_application_waiting_for_staff(site, city)

    await open_application(page, site, union, application)
    await page.get_by_role("button", name="驳回").click()
    await expect(page.locator("#reason-error")).to_have_text("驳回时请写明理由。")

    await page.get_by_label("理由（驳回时必填）").fill("非本工会会员子女")
    await page.get_by_role("button", name="驳回").click()
    await expect(page.locator("#application-status")).to_have_text("已驳回 · 非本工会会员子女")
    await snap(page, "union-application")

    await page.goto(f"{site.url}/union")
    await snap(page, "union-dashboard")
    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="下载台账（CSV）").click()
    ledger = Path(await (await downloading.value).path()).read_text()
    assert ledger.splitlines()[0].startswith("application_id,booking_id,child_id")
    assert application["application_id"] in ledger, "the rejected application's lines are in the union's ledger"


async def test_a_parent_signs_in_and_finds_the_class_form_with_the_keyboard_alone(
    site: Site, city: City, page: Page
) -> None:
    await page.goto(f"{site.url}/signin")
    focused = []
    for _ in range(20):
        await page.keyboard.press("Tab")
        focused.append(await page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
        if focused[-1] == "union":
            break
    assert "role" in focused and focused[-1] == "union", focused
    await page.keyboard.type(str(uuid.uuid4()))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="我的托管")).to_be_visible()
    for _ in range(20):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.id") == "class_id":
            break
    await expect(page.get_by_label("托管班编号（见通知或海报上的二维码）")).to_be_focused()


async def test_a_parent_invites_a_co_guardian_who_accepts_and_then_sees_the_child(
    site: Site, city: City, page: Page, new_context: OpenContext
) -> None:
    union = await city.union("武钢工会")
    parent = city.parent(union)
    child = await city.child(parent, name="小芳")
    partner = city.co_guardian(parent)  # another member of the same union

    await sign_in(page, site, "parent", union=union.union_id, member=parent.member_id)
    await page.goto(f"{site.url}/parent/children/{child['child_id']}")
    await page.get_by_label("对方的会员编号").fill("1234-5678")
    await page.get_by_label("对方的姓名").fill("李强")
    await page.get_by_role("button", name="发送邀请").click()
    await expect(page.locator("#member_id-error")).to_have_text("编号格式不对，请检查。")
    await expect(page.get_by_label("对方的会员编号")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#invite_name-error")).to_have_count(0)
    await snap(page, "parent-invite-error")

    await page.get_by_label("对方的会员编号").fill(str(partner.member_id))
    await expect(page.get_by_label("对方的姓名")).to_have_value("李强")  # kept from the first try
    await page.get_by_role("button", name="发送邀请").click()
    await expect(page.locator("#invite-done")).to_contain_text("已邀请 李强")
    await expect(page.locator("#co-guardians")).to_contain_text("等待接受: 李强")

    other = await (await new_context()).new_page()  # the other parent's phone
    await sign_in(other, site, "parent", union=union.union_id, member=partner.member_id)
    await expect(other.locator("#invitations")).to_contain_text("王芳 邀请您成为 小芳 的监护人")
    await expect(other.locator("#my-children")).not_to_contain_text("小芳")
    await snap(other, "parent-invitations")
    await other.get_by_role("button", name="接受：小芳").press("Enter")  # with the keyboard
    await expect(other.locator("#my-children")).to_contain_text("小芳")
    await expect(other.locator("#invitations")).to_have_count(0)
