"""A family's statement: for each booked day the fee, the subsidy and what the family pays. No I/O.

The term of a statement is one booking: the days a child holds in one programme's class (the days
of ``child.enrolled`` and of each later ``booking.promoted`` of the same booking). A family's
statements are its children's bookings.

Rounding: money is integer fen. The subsidy of each day is what the ledger holds for that day
(``application_lines`` reserved or spent): a percentage is taken of the whole fee, rounded
*down* to the fen, and spread evenly over the days, the remainder fen going to the earliest days
(``domain.subsidise``). The family pays, per day, the fee less that day's subsidy. So a Gongshu
member (15 % discount) pays exactly 85 % of the fee, rounded *up* to the fen: 2 days at ¥49.99
is a fee of ¥99.98, a subsidy of ¥14.99 (14.997 rounded down) and ¥84.99 for the family.

What a day costs depends on what became of it:

- booked or attended: the fee, less the subsidy;
- given up (``booking.changed``/``booking.cancelled``: a parent's absence reported in advance is a
  day given up) at least the refund rule's notice (in days, by the Shanghai calendar) before it:
  nothing (a full refund of what was paid for it). The rule is the union's: staff set it
  (``PUT /unions/{union_id}/refund-rule``), the deepest union on the class's path with a rule
  decides, and without any the notice is :data:`REFUND_NOTICE_DAYS` (given up the day before or
  earlier). The rule in force when the day is given up applies;
- given up later, or a no-show (``child.absent``): charged in full. No refund; and the union's
  money follows attended days (the ledger released that day's subsidy), so the family pays the
  whole fee of that day.

Payments never make the balance negative: a payment above the balance is refused. When a revision
leaves the family having paid more than it now owes, the difference is refunded at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from shared.timezones import LOCAL_TIME

DayState = Literal["booked", "attended", "absent", "given_up_early", "given_up_late"]
REFUND_NOTICE_DAYS = 1  # by default a day given up on the day before it (or earlier) is refunded in full


@dataclass(frozen=True)
class DayCharge:
    day: dt.date
    state: DayState
    fee_fen: int
    subsidy_fen: int

    @property
    def family_fen(self) -> int:
        return self.fee_fen - self.subsidy_fen


@dataclass(frozen=True)
class Totals:
    fee_fen: int
    subsidy_fen: int
    family_fen: int


def charge(day: dt.date, state: DayState, fee_per_day_fen: int, subsidy_fen: int) -> DayCharge:
    """What one day costs in its state; the subsidy never exceeds the fee."""
    if state == "given_up_early":
        return DayCharge(day, state, 0, 0)
    return DayCharge(day, state, fee_per_day_fen, min(subsidy_fen, fee_per_day_fen))


def totals(days: list[DayCharge]) -> Totals:
    return Totals(
        fee_fen=sum(d.fee_fen for d in days),
        subsidy_fen=sum(d.subsidy_fen for d in days),
        family_fen=sum(d.family_fen for d in days),
    )


def given_up(day: dt.date, at: dt.datetime, notice_days: int = REFUND_NOTICE_DAYS) -> DayState:
    """A day given up at ``at``: early enough for a full refund (``notice_days`` ahead), or too late."""
    notice = (day - at.astimezone(LOCAL_TIME).date()).days
    return "given_up_early" if notice >= notice_days else "given_up_late"


def refund_due(family_fen: int, net_paid_fen: int) -> int:
    """What goes back to a family that has paid more than it now owes (0 when it has not)."""
    return max(0, net_paid_fen - family_fen)


def overpays(amount_fen: int, family_fen: int, net_paid_fen: int) -> bool:
    """Whether a payment would pay more than the family owes (the balance never goes negative)."""
    return amount_fen > family_fen - net_paid_fen
