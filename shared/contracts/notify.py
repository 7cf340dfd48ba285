"""Events published by the notify service on ``notify.events`` (key: guardian id)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from shared.contracts.enrollment import ChannelKind
from shared.envelope import Event


class NotificationDelivered(Event):
    """A notification reached one guardian on one channel."""

    TYPE: ClassVar[str] = "notification.delivered"
    STREAM: ClassVar[str] = "notify.events"

    notification_id: uuid.UUID
    guardian_id: uuid.UUID
    child_id: uuid.UUID
    channel: ChannelKind
    source_event_id: uuid.UUID
    source_event_type: str

    def partition_key(self) -> str:
        return str(self.guardian_id)
