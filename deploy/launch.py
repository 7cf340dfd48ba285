"""Start one service process with only what it may see.

    python -m deploy.launch <service>

``./tuoguan up`` runs this for each service. The environment is the caller's, plus the install's
files (.state/services.env from deploy/provision.py, the keys from deploy/keys.py), cut down by
:func:`deploy.keys.process_environment`: the service gets its own database URL, Kafka principal
and secrets, and none of another service's or an operator's.
"""

from __future__ import annotations

import os
import sys

from deploy.keys import ROOT, SERVICES, ensure, process_environment, read_env


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1] not in SERVICES:
        raise SystemExit(f"usage: python -m deploy.launch {{{'|'.join(SERVICES)}}}")
    service = sys.argv[1]
    state = ROOT / ".state"
    env = {**read_env(state / "services.env"), **ensure(state / "keys"), **os.environ}
    os.execve(sys.executable, [sys.executable, "-m", f"services.{service}"], process_environment(service, env))


if __name__ == "__main__":
    main()
