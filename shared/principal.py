"""Who the caller is, and the checks on it that handlers make. Free of HTTP: shared/auth.py
verifies the token at the edge and hands a :class:`Principal` on."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.errors import NotAllowed

Role = Literal["admin", "union_staff", "provider_staff", "parent"]


class Principal(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    sub: str
    role: Role
    union_id: uuid.UUID | None = None
    provider_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = None
    exp: int | None = None  # when the token expires (seconds since the epoch); long-lived answers end then


def forbidden(reason: str) -> NotAllowed:
    return NotAllowed(reason, field="Authorization")


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        raise forbidden(f"this needs the role {' or '.join(roles)}")
