"""`./tuoguan token` refuses a token that could not act for anyone, and says so in its own name."""

from __future__ import annotations

import pytest

from shared.auth import main


@pytest.mark.parametrize(
    "args, needs",
    [
        (["--role", "parent"], "--union and --member"),
        (["--role", "parent", "--union", "5d0f1a52-7d0b-4c1e-9a43-2f6c1d9e0a01"], "--member"),
        (["--role", "union_staff"], "--union"),
        (["--role", "provider_staff"], "--provider"),
    ],
)
def test_a_token_without_the_ids_its_role_needs_is_refused_at_once(args: list[str], needs: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["mint", *args])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err.startswith("usage: ./tuoguan token "), err
    assert f"needs {needs}" in err and "auth.py" not in err


def test_an_admin_token_needs_no_ids(capsys) -> None:
    main(["mint", "--role", "admin"])
    assert capsys.readouterr().out.count(".") == 2, "a JWT: header.claims.signature"
