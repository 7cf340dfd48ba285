"""Delivery channels: one small plug-in per way of reaching a guardian, behind one interface.

A channel's ``send`` either returns (delivered) or raises ``DeliveryFailed``; ``retry`` says
whether trying again later can help. Its ``detail`` is for operators (logs, the delivery log);
its ``reason`` is all a guardian is shown. Channels never touch the database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Delivery:
    notification_id: uuid.UUID
    guardian_id: uuid.UUID
    child_id: uuid.UUID | None  # None for an address's confirmation code
    kind: str
    address: str
    body: str
    safety: bool
    language: str
    secret: str | None = None  # a webhook endpoint's signing key


UNDELIVERABLE = "the message could not be delivered"
UNREACHABLE = "the receiver could not be reached"
TOO_SLOW = "the receiver did not answer in time"


class DeliveryFailed(Exception):
    def __init__(self, detail: str, *, retry: bool = True, reason: str = UNDELIVERABLE) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry = retry
        self.reason = reason


class Channel(Protocol):
    async def send(self, delivery: Delivery) -> str:
        """Deliver; return a short receipt for the delivery log, or raise ``DeliveryFailed``."""
        ...
