"""Settings of the attendance service: the shared ones plus its own (``ATTENDANCE_*``)."""

from __future__ import annotations

from shared.settings import ServiceSettings


class AttendanceSettings(ServiceSettings):
    # Notify's public key (base64): pick-up codes are sealed to it and only notify can open them.
    # Required, no default (shared/secrets.py checks it at start).
    notify_seal_public_key: str
