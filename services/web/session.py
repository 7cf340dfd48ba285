"""Who is signed in: the token sits in an HttpOnly cookie. The web front end reads the token's
claims only to choose the pages and the ids in the API paths; every API checks the signature,
audience and scope itself, so a forged cookie gains nothing but refusals."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from fastapi import Request, Response

from services.web.i18n import LANGUAGES, language_of

TOKEN_COOKIE = "tg_token"
CHILDREN_COOKIE = "tg_children"  # children this browser knows of, until the "my children" API answers
MAX_KNOWN_CHILDREN = 8


class NotSignedIn(Exception):
    """The page needs a signed-in person of another kind (or the token has expired)."""


@dataclass
class Session:
    token: str
    claims: dict[str, Any]
    lang: str
    children: list[str] = field(default_factory=list)

    @property
    def role(self) -> str:
        return str(self.claims.get("role", ""))

    def id_of(self, claim: str) -> str:
        return str(self.claims.get(claim) or "")


def claims_of(token: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}
    return claims if claims.get("exp", 0) > time.time() else {}


def known_children(request: Request) -> list[str]:
    found = []
    for part in request.cookies.get(CHILDREN_COOKIE, "").split(","):
        try:
            found.append(str(uuid.UUID(part)))
        except ValueError:
            continue
    return found[:MAX_KNOWN_CHILDREN]


def session_of(request: Request, *roles: str) -> Session:
    token = request.cookies.get(TOKEN_COOKIE, "")
    claims = claims_of(token) if token else {}
    if not claims or (roles and claims.get("role") not in roles):
        raise NotSignedIn
    return Session(token, claims, language_of(request), known_children(request))


def sign_in(response: Response, token: str, *, secure: bool) -> None:
    ttl = max(60, int(claims_of(token).get("exp", time.time() + 3600) - time.time()))
    response.set_cookie(TOKEN_COOKIE, token, max_age=ttl, httponly=True, samesite="lax", secure=secure)


def sign_out(response: Response) -> None:
    response.delete_cookie(TOKEN_COOKIE)
    response.delete_cookie(CHILDREN_COOKIE)


def remember_child(response: Response, session: Session, child_id: str, *, secure: bool) -> None:
    children = [child_id, *(c for c in session.children if c != child_id)][:MAX_KNOWN_CHILDREN]
    response.set_cookie(CHILDREN_COOKIE, ",".join(children), httponly=True, samesite="lax", secure=secure)


__all__ = ["LANGUAGES", "NotSignedIn", "Session", "session_of"]
