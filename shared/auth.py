"""Signed bearer tokens (HS256 JWT) and who the caller is.

Roles: ``admin`` (the platform operator, creates city federations), ``union_staff`` (acts
within the subtree of ``union_id``), ``provider_staff`` (acts at the sites of ``provider_id``),
``parent`` (a union member, ``member_id``, belonging to ``union_id``; acts for their own
children). New roles add a value here and a rule where they are checked.

Tokens come from the city's identity provider in production; ``python -m shared.auth mint``
makes them for development and tests.
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from typing import Annotated, Literal

import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, ValidationError

from shared.errors import CommandRejected

Role = Literal["admin", "union_staff", "provider_staff", "parent"]
ALGORITHM = "HS256"
ISSUER = "tuoguan"
DEV_SECRET = "tuoguan-dev-secret-change-me-in-production"


class Principal(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    sub: str
    role: Role
    union_id: uuid.UUID | None = None
    provider_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = None


def secret() -> str:
    return os.environ.get("TUOGUAN_JWT_SECRET", DEV_SECRET)


def mint(principal: Principal, *, ttl_s: int = 3600, key: str | None = None) -> str:
    now = int(time.time())
    claims = {**principal.model_dump(mode="json", exclude_none=True), "iss": ISSUER, "iat": now, "exp": now + ttl_s}
    return jwt.encode(claims, key or secret(), algorithm=ALGORITHM)


def _unauthorised(reason: str) -> CommandRejected:
    return CommandRejected(401, [{"field": "Authorization", "reason": reason}])


def authenticate(request: Request) -> Principal:
    """The verified caller, or 401 with the reason."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthorised("a bearer token is required")
    try:
        claims = jwt.decode(token, secret(), algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "iat", "sub", "iss"]})
        return Principal.model_validate(claims)
    except jwt.ExpiredSignatureError:
        raise _unauthorised("the token has expired") from None
    except (jwt.InvalidTokenError, ValidationError):
        raise _unauthorised("the token is not valid") from None


async def caller(request: Request) -> Principal:
    """The verified caller; async, so that FastAPI runs it on the event loop rather than in a thread."""
    return authenticate(request)


Caller = Annotated[Principal, Depends(caller)]


def forbidden(reason: str) -> CommandRejected:
    return CommandRejected(403, [{"field": "Authorization", "reason": reason}])


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        raise forbidden(f"this needs the role {' or '.join(roles)}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Mint a development token.")
    parser.add_argument("command", choices=["mint"])
    parser.add_argument("--role", required=True, choices=list(Role.__args__))
    parser.add_argument("--sub", default=None)
    parser.add_argument("--union", type=uuid.UUID)
    parser.add_argument("--provider", type=uuid.UUID)
    parser.add_argument("--member", type=uuid.UUID)
    parser.add_argument("--ttl", type=int, default=12 * 3600)
    args = parser.parse_args()
    principal = Principal(sub=args.sub or f"{args.role}-{uuid.uuid4().hex[:8]}", role=args.role,
                          union_id=args.union, provider_id=args.provider, member_id=args.member)
    print(mint(principal, ttl_s=args.ttl))


if __name__ == "__main__":
    main()
