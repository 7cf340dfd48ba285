"""Events published by the notify service on ``notify.events`` (key: guardian id)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from shared.contracts.enrollment import ChannelKind
from shared.envelope import Event


class _Notification(Event):
    STREAM: ClassVar[str] = "notify.events"

    notification_id: uuid.UUID
    guardian_id: uuid.UUID
    child_id: uuid.UUID
    channel: ChannelKind

    def partition_key(self) -> str:
        return str(self.guardian_id)


class NotificationDelivered(_Notification):
    """A notification reached one guardian on one channel."""

    TYPE: ClassVar[str] = "notification.delivered"

    source_event_id: uuid.UUID
    source_event_type: str


class NotificationFailed(_Notification):
    """A notification could not be delivered on a channel after its last attempt."""

    TYPE: ClassVar[str] = "notification.failed"

    attempts: int
    error: str
