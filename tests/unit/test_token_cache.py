"""A verified token is remembered for speed, but never past its expiry."""

from __future__ import annotations

import os
import time

import pytest

from shared.auth import Principal, TokenRefused, Verifier, mint


async def test_a_remembered_token_is_refused_once_it_has_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    verifier = Verifier(os.environ["TUOGUAN_JWKS"], "enrollment")
    token = mint(Principal(sub="staff-cache", role="admin"), ttl_s=60)
    assert (await verifier.verify(token)).sub == "staff-cache"
    assert token in verifier._verified
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(TokenRefused, match="expired"):
        await verifier.verify(token)
