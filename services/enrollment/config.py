"""Settings of the enrollment service: the shared ones plus its quotas (``ENROLLMENT_*``)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pydantic import Field

from shared.settings import ServiceSettings

if TYPE_CHECKING:  # handlers import this module; at run time it must not bring in shared.service (FastAPI)
    from shared.service import Runtime


class EnrollmentSettings(ServiceSettings):
    """The shared settings, and how many children and addresses one member may give."""

    max_children_per_member: int = 10  # children a union member may be a guardian of (invitations count on acceptance)
    max_addresses_per_kind: int = 5  # e-mail, SMS or WeChat addresses given for one guardian, each
    # A promoted waiting child's seat is held this long for the family to accept (handlers/holds.py);
    # 0: a promotion confirms at once, with nothing to accept.
    promotion_hold_s: float = Field(0, ge=0, le=14 * 24 * 3600)

    @property
    def promotion_hold(self) -> dt.timedelta | None:
        return dt.timedelta(seconds=self.promotion_hold_s) if self.promotion_hold_s else None


def settings_of(runtime: Runtime) -> EnrollmentSettings:
    """The runtime's settings, typed as enrollment's own."""
    return runtime.settings_as(EnrollmentSettings)
