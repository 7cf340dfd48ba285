"""Settings of the attendance service: the shared ones plus its own (``ATTENDANCE_*``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.settings import ServiceSettings

if TYPE_CHECKING:  # handlers import this module; at run time it must not bring in shared.service (FastAPI)
    from shared.service import Runtime


class AttendanceSettings(ServiceSettings):
    # Notify's public key (base64): pick-up codes are sealed to it and only notify can open them.
    # Required, no default (shared/secrets.py checks it at start).
    notify_seal_public_key: str


def settings_of(runtime: Runtime) -> AttendanceSettings:
    """The runtime's settings, typed as attendance's own."""
    return runtime.settings_as(AttendanceSettings)
