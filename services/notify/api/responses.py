"""What notify's endpoints answer, as the OpenAPI document shows it. Times are written as they
always were (``isoformat``: ``+00:00``, not pydantic's ``Z``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, Field

from shared.http import Timestamp


class InboxItem(BaseModel):
    notification_id: uuid.UUID
    source_type: str
    child_id: uuid.UUID | None
    channel: str
    body: str
    safety: bool
    created_at: Timestamp


class Inbox(BaseModel):
    guardian_id: uuid.UUID
    notifications: list[InboxItem]


class Delivery(BaseModel):
    notification_id: uuid.UUID
    source_type: str
    channel: str
    address: str
    status: Literal["pending", "sending", "delivered", "failed"]
    attempts: int
    due_at: Timestamp | None
    delivered_at: Timestamp | None
    last_error: str | None


class Deliveries(BaseModel):
    guardian_id: uuid.UUID
    notifications: list[Delivery]


class Preferences(BaseModel):
    guardian_id: uuid.UUID
    muted_kinds: list[str]
    channels: list[str] | None
    quiet_start: dt.time | None
    quiet_end: dt.time | None
    language: Literal["zh-CN", "en"]


class Address(BaseModel):
    address_id: uuid.UUID
    kind: str
    address: str
    state: Literal["unconfirmed", "confirmed"]
    created_at: Timestamp
    confirmed_at: Timestamp | None
    code_expires_at: Timestamp | None


class Addresses(BaseModel):
    guardian_id: uuid.UUID
    addresses: list[Address]


class AddressState(BaseModel):
    address_id: uuid.UUID
    state: Literal["unconfirmed", "confirmed"]


class CodeOnItsWay(AddressState):
    note: str


class Webhook(BaseModel):
    webhook_id: uuid.UUID
    url: str
    created_at: Timestamp


class Webhooks(BaseModel):
    guardian_id: uuid.UUID
    webhooks: list[Webhook]


class RegisteredWebhook(BaseModel):
    webhook_id: uuid.UUID
    url: str
    secret: str = Field(description="Shown this once: it verifies notify's signatures (Standard Webhooks)")
    address_id: uuid.UUID
    state: Literal["unconfirmed", "confirmed"]
    note: str


class StaffContact(BaseModel):
    contact_id: uuid.UUID
    scope: Literal["union", "site"]
    scope_id: uuid.UUID
    display_name: str
    kind: Literal["sms", "email", "wechat"]
    address: str
    language: Literal["zh-CN", "en"]
    registered_by: str
    created_at: Timestamp


class StaffContacts(BaseModel):
    scope: Literal["union", "site"]
    scope_id: uuid.UUID
    contacts: list[StaffContact]


class RemovedStaffContact(BaseModel):
    contact_id: uuid.UUID
    removed: bool
