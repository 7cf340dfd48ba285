"""``python -m deploy.k8s.migrate <service>``: the Deployment's init container.

Applies the service's pending migrations as the database's owner (``<SERVICE>_OWNER_DATABASE_URL``)
and grants its runtime role (the user of ``<SERVICE>_DATABASE_URL``) its rights, under the
migrations' advisory lock, so pods starting together migrate once (deploy/schema.py).
"""

from __future__ import annotations

import asyncio
import os
import sys

from deploy import schema
from shared.topics import SUBSCRIPTIONS


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1] not in SUBSCRIPTIONS:
        raise SystemExit(f"usage: python -m deploy.k8s.migrate {{{'|'.join(SUBSCRIPTIONS)}}}")
    asyncio.run(schema.migrate_given(os.environ, (sys.argv[1],)))


if __name__ == "__main__":
    main()
