"""No event is silently dropped: every event type on the services' own streams is either told to
someone (guardians: ``messages.TOLD``; staff and emergency contacts: ``others.STAFF_TOLD``) or
listed here, deliberately silent, with the reason. A unit test fails when a registered event type
is in neither, or in both. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.notify.domain.messages import TOLD
from services.notify.domain.others import STAFF_TOLD

# event type -> why nobody is told of it (one line each)
SILENT: dict[str, str] = {
    "child.registered": "a projection: who the child's guardians and emergency contact are",
    "site.opened": "a projection: whose staff may name the site's lead",
    "finding.closed": "union staff close a finding the site lead fixed and reported, so both know already",
    "child.cover_confirmed": "a projection: attendance's roster shows each child's cover",
    "child.cover_refused": "a projection: the site lead is told when the child is checked in uncovered",
    "subsidy.requested": "the union decides first; parents are told the decision (approved or rejected)",
    "subsidy.settled": "money between the union and the provider after the days are over",
    "model_class.designated": "between the union and the class's operator, who is no recipient of notify",
    "model_class.grant_paid": "money between the union and the class's operator, who is no recipient of notify",
    "notification.delivered": "notify's own receipt: telling of it would tell of the telling",
    "notification.failed": "notify's own receipt, for the guardian's delivery list and operators",
}


def told_types() -> set[str]:
    """The event types someone is told of."""
    return {t.TYPE for t in (*TOLD, *STAFF_TOLD)}


@dataclass(frozen=True)
class Unaccounted:
    """What the check found: types neither told nor silent, types both, and silent types no one publishes."""

    neither: tuple[str, ...]
    both: tuple[str, ...]
    stale: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.neither or self.both or self.stale)

    def __str__(self) -> str:
        lines = []
        if self.neither:
            lines.append(
                "neither told nor listed as silent (add a message, or a line to SILENT in "
                f"services/notify/domain/silent.py): {', '.join(self.neither)}"
            )
        if self.both:
            lines.append(f"told and also listed as silent (remove them from SILENT): {', '.join(self.both)}")
        if self.stale:
            lines.append(f"listed as silent but not a published event type: {', '.join(self.stale)}")
        return "\n".join(lines)


def unaccounted(published: Iterable[str], told: Iterable[str], silent: Iterable[str]) -> Unaccounted:
    """Check the published event types against those told and those silent."""
    published, told, silent = set(published), set(told), set(silent)
    return Unaccounted(
        neither=tuple(sorted(published - told - silent)),
        both=tuple(sorted(told & silent)),
        stale=tuple(sorted(silent - published)),
    )
