"""Keys and secrets of one install, generated on first use and kept afterwards.

    python -m deploy.keys [--dir .state/keys]

``./tuoguan up`` runs this; the test suite runs :func:`ensure` on a temporary directory per run.
Nothing here has a default: every value is random per install, and files are mode 0600.

- ``jwt-signing.pem`` (Ed25519, private) signs development tokens (``./tuoguan token``);
  ``jwks.json`` holds its public half, which is all the services see (``TUOGUAN_JWKS``). In
  production ``TUOGUAN_JWKS`` is the URL of the city's identity provider and no private key is
  on any service machine.
- ``secrets.env`` holds the shared secrets, one per line, and notify's sealing keypair
  (``NOTIFY_SEAL_PRIVATE_KEY`` for notify alone, its public half ``ATTENDANCE_NOTIFY_SEAL_PUBLIC_KEY``
  for attendance, which seals pick-up codes that only notify can open).

Which process may read which variable is :data:`SCOPES`; ``./tuoguan up`` hands each service
only its own (see :func:`for_service`).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.auth import public_jwk
from shared.sealed import new_keypair

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("enrollment", "attendance", "subsidy", "notify")


def _token() -> str:
    return secrets.token_urlsafe(32)


# Secret values: name -> generator. Each is required by the processes in SCOPES and has no default.
GENERATED: dict[str, Callable[[], str]] = {
    "TUOGUAN_PSEUDONYM_KEY": _token,
    "NOTIFY_GATEWAY_SECRET": _token,
    "SUBSIDY_PAYMENT_GATEWAY_SECRET": _token,
}

# Which service processes receive which install-wide variable. A variable not listed for a service
# is not in that service's environment when ./tuoguan up starts it.
SCOPES: dict[str, tuple[str, ...]] = {
    "TUOGUAN_JWKS": SERVICES,
    "TUOGUAN_PSEUDONYM_KEY": ("enrollment", "attendance"),
    "NOTIFY_GATEWAY_SECRET": ("notify",),
    "SUBSIDY_PAYMENT_GATEWAY_SECRET": ("subsidy",),
    "NOTIFY_SEAL_PRIVATE_KEY": ("notify",),
    "ATTENDANCE_NOTIFY_SEAL_PUBLIC_KEY": ("attendance",),
}


def write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _ensure_signing_key(directory: Path) -> tuple[Path, Path]:
    pem, jwks = directory / "jwt-signing.pem", directory / "jwks.json"
    if not pem.exists():
        private = Ed25519PrivateKey.generate()
        write_private(
            pem,
            private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        )
    loaded = serialization.load_pem_private_key(pem.read_bytes(), password=None)
    assert isinstance(loaded, Ed25519PrivateKey)
    jwks.write_text(json.dumps({"keys": [public_jwk(loaded)]}, indent=2))
    return pem, jwks


def read_env(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#"))
    return {k.strip(): v.strip() for k, v in pairs}


def ensure(directory: Path) -> dict[str, str]:
    """Generate what is missing under ``directory``; return every variable of the install."""
    pem, jwks = _ensure_signing_key(directory)
    env_file = directory / "secrets.env"
    kept = read_env(env_file)
    values = {name: kept.get(name) or make() for name, make in GENERATED.items()}
    values |= _seal_keypair(kept)
    write_private(env_file, "".join(f"{k}={v}\n" for k, v in values.items()).encode())
    return {"TUOGUAN_JWKS": str(jwks), "TUOGUAN_JWT_SIGNING_KEY_FILE": str(pem), **values}


def _seal_keypair(kept: dict[str, str]) -> dict[str, str]:
    """Notify's keypair for sealed pick-up codes, kept if both halves are there, else a new pair."""
    private, public = kept.get("NOTIFY_SEAL_PRIVATE_KEY"), kept.get("ATTENDANCE_NOTIFY_SEAL_PUBLIC_KEY")
    if not (private and public):
        private, public = new_keypair()
    return {"NOTIFY_SEAL_PRIVATE_KEY": private, "ATTENDANCE_NOTIFY_SEAL_PUBLIC_KEY": public}


def for_service(service: str, install: dict[str, str]) -> dict[str, str]:
    """The install-wide variables ``service`` may see."""
    return {name: value for name, value in install.items() if service in SCOPES.get(name, ())}


# What no service process ever receives: the operators' and the token issuer's credentials.
NEVER_IN_A_SERVICE = frozenset(
    {
        "KAFKA_ADMIN_USERNAME",
        "KAFKA_ADMIN_PASSWORD",
        "TUOGUAN_PG_ADMIN_URL",
        "TUOGUAN_JWT_SIGNING_KEY_FILE",
    }
)


def process_environment(service: str, env: dict[str, str]) -> dict[str, str]:
    """``env`` cut down to what ``service``'s process may see: no other service's ``<SERVICE>_*``
    variables (database URL, Kafka password, keys), no scoped secret outside its scope, and no
    admin credential."""
    others = tuple(f"{s.upper()}_" for s in SERVICES if s != service)
    return {
        name: value
        for name, value in env.items()
        if name not in NEVER_IN_A_SERVICE
        and not name.startswith(others)
        and (name not in SCOPES or service in SCOPES[name])
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=ROOT / ".state/keys")
    parser.add_argument("--service", choices=SERVICES, help="list only what this service may see")
    parser.add_argument(
        "--values",
        action="store_true",
        help="print the values too (secrets: for piping into a secret store, never into a log)",
    )
    args = parser.parse_args()
    install = ensure(args.dir)
    shown = for_service(args.service, install) if args.service else install
    print("".join(f"{k}={v}\n" if args.values else f"{k}\n" for k, v in shown.items()), end="")


if __name__ == "__main__":
    main()
