"""The words recipients who are not guardians read: a child's emergency contact (step 2 of a late
pick-up) and staff contacts (a site's lead: step 3, the staffing ratio, an inspection's findings,
a child admitted without confirmed insurance cover; a union's staff: its funds). No I/O.

They have no app account and read the message on their own phone or mailbox, so it says only what
they need to act: never a pick-up code, a health detail or a guardian's own message.
"""

from __future__ import annotations

import uuid
from typing import TypeAlias, get_args

from shared.contracts.attendance import (
    CheckInUncovered,
    LatePickupEscalated,
    QualificationExpired,
    StaffingRatioExceeded,
    StaffingRatioRestored,
    StaffingRoleFilled,
    StaffingRoleMissing,
)
from shared.contracts.enrollment import InspectionRecorded
from shared.contracts.subsidy import FundExhausted, FundLow
from shared.envelope import Event
from shared.money import yuan

# Events told to staff contacts only (a late pick-up reaches them through the guardians' events).
StaffTold: TypeAlias = (
    StaffingRatioExceeded
    | StaffingRatioRestored
    | FundLow
    | FundExhausted
    | StaffingRoleMissing
    | StaffingRoleFilled
    | QualificationExpired
    | InspectionRecorded
    | CheckInUncovered
)
STAFF_TOLD: tuple[type[Event], ...] = get_args(StaffTold)
# Marked as alerts (not a ratio restored, nor a role filled).
STAFF_SAFETY = (LatePickupEscalated, StaffingRatioExceeded, StaffingRoleMissing, QualificationExpired)
STAFF_ALL_CLEAR = (StaffingRatioRestored, StaffingRoleFilled)


QUALIFICATIONS = {
    "teacher_certificate": {"en": "teacher certificate", "zh-CN": "教师资格证"},
    "health_certificate": {"en": "health certificate", "zh-CN": "健康证"},
    "first_aid": {"en": "first aid certificate", "zh-CN": "急救证"},
}


# An inspection checklist's areas, as a site lead reads them.
AREAS = {
    "environment": {"en": "environment", "zh-CN": "环境"},
    "catering_hygiene": {"en": "catering hygiene", "zh-CN": "餐饮卫生"},
    "safety": {"en": "safety", "zh-CN": "安全"},
    "staff_present": {"en": "staff present", "zh-CN": "人员在岗"},
}


def _short(some_id: uuid.UUID) -> str:
    return str(some_id)[:8]


def emergency_contact_message(event: LatePickupEscalated, child: str, language: str = "zh-CN") -> str:
    """Step 2 of a late pick-up, to the child's emergency contact."""
    if language == "en":
        return (
            f"You are the emergency contact of {child}. {child} is still at the childcare site after closing "
            "time and the parents have not come yet. Please reach the parents, or come to the site."
        )
    return (
        f"您是 {child} 的紧急联系人。{child} 仍在托管点，已过离园时间，家长尚未来接。请联系家长或尽快到托管点接孩子。"
    )


def staff_message(event: Event, child: str | None, language: str = "zh-CN") -> str | None:
    """The text for a staff contact about ``event`` (``child``: the child's name, for a late pick-up)."""
    en = language == "en"
    match event:
        case LatePickupEscalated(audience="site_lead"):
            return (
                f"Site lead: {child} is still at the site after closing time; the parents and the emergency "
                f"contact have been told and nobody has come. Please take charge of {child} now."
                if en
                else f"现场负责人：{child} 仍在托管点，已过离园时间；已通知家长和紧急联系人，仍无人来接。请立即负责照看并联系家长。"
            )
        case StaffingRoleFilled():
            return (
                f"Class {_short(event.class_id)} on {event.day:%d %b} now has its {event.role} staff on duty "
                f"({event.on_duty} of {event.required})."
                if en
                else f"{event.day:%m月%d日} 班级 {_short(event.class_id)} 的{event.role}已到岗（{event.on_duty}/{event.required}）。"
            )
        case StaffingRoleMissing():
            return (
                f"Alert: class {_short(event.class_id)} on {event.day:%d %b} has {event.on_duty} {event.role} on duty; "
                f"its staffing rule requires {event.required} for {event.children} children. Please add staff now."
                if en
                else f"提醒：{event.day:%m月%d日} 班级 {_short(event.class_id)} 仅 {event.on_duty} 名{event.role}在岗，"
                f"按配置规则 {event.children} 名儿童需要 {event.required} 名，请立即补充。"
            )
        case QualificationExpired():
            held = (
                (f"expired on {event.expires_on:%d %b %Y}" if en else f"已于 {event.expires_on:%Y年%m月%d日} 过期")
                if event.expires_on
                else ("is not held" if en else "未持有")
            )
            kind = QUALIFICATIONS[event.qualification]["en" if en else "zh-CN"]
            return (
                f"Alert: {event.staff_name} ({event.role}) on duty in class {_short(event.class_id)} on "
                f"{event.day:%d %b}: the {kind} {held}."
                if en
                else f"提醒：{event.day:%m月%d日} 班级 {_short(event.class_id)} 在岗的 {event.staff_name}（{event.role}）"
                f"{kind}{held}。"
            )
        case StaffingRatioRestored():
            return (
                f"Class {_short(event.class_id)} on {event.day:%d %b} is back within its staffing ratio: "
                f"{event.children_present} children, {event.staff_on_duty} staff."
                if en
                else f"{event.day:%m月%d日} 班级 {_short(event.class_id)} 师生比已恢复：在园 {event.children_present} 名儿童，"
                f"{event.staff_on_duty} 名教职工。"
            )
        case StaffingRatioExceeded():
            return (
                f"Alert: class {_short(event.class_id)} on {event.day:%d %b} has {event.children_present} children "
                f"present and {event.staff_on_duty} staff on duty; at most {event.children_per_staff} children "
                "per staff member are allowed. Please add staff now."
                if en
                else f"提醒：{event.day:%m月%d日} 班级 {_short(event.class_id)} 在园 {event.children_present} 名儿童，"
                f"仅 {event.staff_on_duty} 名教职工在岗，超过每人 {event.children_per_staff} 名的师生比，请立即增派人手。"
            )
        case InspectionRecorded(findings=()):
            return None  # nothing to fix
        case InspectionRecorded():
            return _findings_message(event, language)
        case CheckInUncovered():
            who = child or ("a child" if en else "一名儿童")
            why = {
                "pending": ("no insurer has confirmed the cover yet", "保险公司尚未确认承保"),
                "refused": ("the insurer refused the cover", "保险公司已拒绝承保"),
            }[event.cover]
            return (
                f"Site lead: {who} was checked in on {event.day:%d %b} without confirmed accident insurance "
                f"({why[0]}). Please check the child's cover with the union."
                if en
                else f"现场负责人：{who} 已于 {event.day:%m月%d日} 签到入园，但其意外险未获确认（{why[1]}）。请与工会核实孩子的保险。"
            )
        case FundLow():
            return (
                f"Subsidy fund {_short(event.fund_id)} is running low: {yuan(event.available_fen)} of "
                f"{yuan(event.budget_fen)} is left."
                if en
                else f"补贴资金 {_short(event.fund_id)} 余额不足：预算 {yuan(event.budget_fen)}，"
                f"剩余 {yuan(event.available_fen)}。"
            )
        case FundExhausted():
            return (
                f"Subsidy fund {_short(event.fund_id)} is exhausted ({yuan(event.available_fen)} of "
                f"{yuan(event.budget_fen)} left): new subsidy applications it should pay are being rejected."
                if en
                else f"补贴资金 {_short(event.fund_id)} 已用完（预算 {yuan(event.budget_fen)}，剩余 "
                f"{yuan(event.available_fen)}），由其支付的新补贴申请正在被拒绝。"
            )
    return None


def _findings_message(event: InspectionRecorded, language: str) -> str:
    """The site lead's list of what the union's inspection found, each with its deadline. The items
    are the inspector's own words, quoted."""
    lang = "en" if language == "en" else "zh-CN"
    if lang == "en":
        items = "; ".join(f"{AREAS[f.area][lang]}: {f.item} (by {f.fix_by:%d %b})" for f in event.findings)
        return (
            f"The union's inspection of your site on {event.inspected_on:%d %b} found {len(event.findings)} "
            f"item(s) to fix: {items}. Tell the union once each is fixed, so that it can close it."
        )
    items = "；".join(f"{AREAS[f.area][lang]}：{f.item}（{f.fix_by:%m月%d日}前）" for f in event.findings)
    return (
        f"工会于 {event.inspected_on:%m月%d日} 检查托管点，发现 {len(event.findings)} 项需整改：{items}。"
        "整改完成后请告知工会销项。"
    )
