"""Start one service process with only what it may see.

    python -m deploy.launch <service>

``./tuoguan up`` runs this for each service, and for the web front end (``web``). The environment
is the caller's, plus the install's files (.state/services.env from deploy/provision.py, the keys
from deploy/keys.py), cut down by :func:`deploy.keys.process_environment`: the service gets its
own database URL, Kafka principal and secrets, and none of another service's or an operator's.
The web front end (:func:`web_environment`) gets no database, Kafka or service secret at all.
"""

from __future__ import annotations

import os
import sys

from deploy.keys import NEVER_IN_A_SERVICE, ROOT, SCOPES, SERVICES, ensure, process_environment, read_env

WEB = "web"
TRUE = ("1", "true", "yes", "on")


def web_environment(env: dict[str, str]) -> dict[str, str]:
    """What the web front end may see: no service's ``<SERVICE>_*`` variable, no install secret,
    no operator credential; each service's URL (``WEB_<SERVICE>_URL``, from the port ``./tuoguan
    up`` gives it, when not set); and the token signing key only with ``WEB_DEV_SIGN_IN`` on."""
    services = tuple(f"{s.upper()}_" for s in SERVICES)
    kept = {
        name: value
        for name, value in env.items()
        if not name.startswith(services) and name not in SCOPES and name not in NEVER_IN_A_SERVICE
    }
    for service in SERVICES:
        port = env.get(f"{service.upper()}_HTTP_PORT")
        if port and f"WEB_{service.upper()}_URL" not in env:
            kept[f"WEB_{service.upper()}_URL"] = f"http://127.0.0.1:{port}"
    if env.get("WEB_DEV_SIGN_IN", "").lower() in TRUE and env.get("TUOGUAN_JWT_SIGNING_KEY_FILE"):
        kept["TUOGUAN_JWT_SIGNING_KEY_FILE"] = env["TUOGUAN_JWT_SIGNING_KEY_FILE"]
    return kept


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1] not in (*SERVICES, WEB):
        raise SystemExit(f"usage: python -m deploy.launch {{{'|'.join((*SERVICES, WEB))}}}")
    service = sys.argv[1]
    state = ROOT / ".state"
    env = {**read_env(state / "services.env"), **ensure(state / "keys"), **os.environ}
    allowed = web_environment(env) if service == WEB else process_environment(service, env)
    os.execve(sys.executable, [sys.executable, "-m", f"services.{service}"], allowed)


if __name__ == "__main__":
    main()
