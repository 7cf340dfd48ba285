"""The commands the notify service accepts, validated field by field."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.contracts.enrollment import ChannelKind
from shared.envelope import Event


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReplacePreferences(Command):
    """What, where and when a guardian wants to be told (replaces what they had)."""

    @field_validator("muted_kinds")
    @classmethod
    def _known_kinds(cls, kinds: list[str]) -> list[str]:
        unknown = sorted(set(kinds) - set(Event.REGISTRY))
        if unknown:
            raise ValueError(f"not event types: {', '.join(unknown)[:200]}")
        return kinds

    muted_kinds: list[str] = Field(
        default_factory=list, max_length=50, description="Event types not to be told about (safety alerts always come)"
    )
    channels: list[ChannelKind] | None = Field(None, max_length=10, description="Channels to use; all when absent")
    quiet_start: dt.time | None = Field(None, description="Local time; routine messages wait until quiet_end")
    quiet_end: dt.time | None = None
    language: Literal["zh-CN", "en"] = "zh-CN"


class ConfirmAddress(Command):
    code: str = Field(pattern=r"^\d{6}$", description="The six-digit code sent to the address")


class AskForCode(Command):
    """No fields: the address says it all."""


class RegisterWebhook(Command):
    url: str = Field(min_length=1, max_length=320, description="An https URL on the public internet")


PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,30}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RegisterStaffContact(Command):
    """A staff contact of a union (told of its funds) or of a site (its lead: late pick-ups at step 3,
    the staffing ratio). They have no app account: they are told on this one address."""

    display_name: str = Field(min_length=1, max_length=80)
    kind: Literal["sms", "email", "wechat"]
    address: str = Field(min_length=1, max_length=320, description="A phone number (sms, wechat) or an e-mail address")
    language: Literal["zh-CN", "en"] = "zh-CN"

    @field_validator("address")
    @classmethod
    def _fits_the_kind(cls, address: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        if kind == "email" and not EMAIL.match(address):
            raise ValueError("not an e-mail address")
        if kind in ("sms", "wechat") and not PHONE.match(address):
            raise ValueError("not a phone number (digits, optionally a leading +, spaces or dashes)")
        return address


class RemoveStaffContact(Command):
    """No fields: the path says it all."""
