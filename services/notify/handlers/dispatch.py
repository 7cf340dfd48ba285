"""The dispatcher: sends due notifications on outside channels, each independently.

A notification is leased (status 'sending' for 60 s), sent outside any transaction, then marked
delivered, or put back with exponential backoff, or failed after the last attempt. A crash
between sending and marking lets the lease run out and the notification go again: receivers
get the notification id as ``Idempotency-Key`` (Message-ID for e-mail) to recognise it.
One failing channel or recipient never holds up the others: they are sent concurrently and
recorded one by one. A pick-up code is opened here, just before it goes to the guardian, and
only while it is valid.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import asyncpg

from services.notify.channels import Channel, Delivery, DeliveryFailed
from services.notify.config import NotifySettings
from services.notify.db import notifications as db
from services.notify.domain import with_code
from shared.contracts.notify import NotificationDelivered, NotificationFailed
from shared.outbox import Outbox


async def dispatch_due(pool: asyncpg.Pool, outbox: Outbox, channels: dict[str, Channel], settings: NotifySettings,
                       *, batch: int = 100) -> int:
    now = dt.datetime.now(dt.UTC)
    claimed = await db.claim_due(pool, now, batch)
    await asyncio.gather(*(_deliver(pool, outbox, channels, settings, row) for row in claimed))
    return len(claimed)


async def _deliver(pool: asyncpg.Pool, outbox: Outbox, channels: dict[str, Channel], settings: NotifySettings,
                   row: asyncpg.Record) -> None:
    channel = channels.get(row["channel"])
    try:
        if channel is None:
            raise DeliveryFailed(f"no {row['channel']} channel is configured", retry=False)
        body = with_code(row["body"], row["language"], db.sealed_code(row), private_key=settings.seal_private_key,
                         reveal=True, now=dt.datetime.now(dt.UTC))
        receipt = await channel.send(Delivery(row["notification_id"], row["guardian_id"], row["child_id"],
                                              row["channel"], row["address"], body, row["safety"], row["language"]))
        outcome, error = "delivered", None
    except DeliveryFailed as failure:
        receipt, error = failure.detail, failure
        outcome = "retry" if failure.retry and row["attempts"] < settings.delivery_max_attempts else "failed"
    except Exception as exc:  # a channel bug must not take the dispatcher down
        receipt, error, outcome = f"{type(exc).__name__}: {exc}", exc, "retry"

    async with pool.acquire() as tx, tx.transaction():
        await db.record_attempt(tx, row["notification_id"], row["attempts"], outcome, receipt)
        fields = {"notification_id": row["notification_id"], "guardian_id": row["guardian_id"],
                  "child_id": row["child_id"], "channel": row["channel"]}
        if outcome == "delivered":
            if await db.mark_delivered(tx, row["notification_id"]):
                await outbox.append(tx, NotificationDelivered(
                    **fields, source_event_id=row["source_event_id"], source_event_type=row["source_type"]),
                    union_id=None, correlation_id=uuid.uuid4())
        elif outcome == "retry":
            delay = min(settings.delivery_backoff_s * 2 ** (row["attempts"] - 1), settings.delivery_backoff_max_s)
            await db.retry_later(tx, row["notification_id"], dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay),
                                 str(error))
        else:
            await db.mark_failed(tx, row["notification_id"], str(error))
            await outbox.append(tx, NotificationFailed(**fields, attempts=row["attempts"], error=str(error)[:300]),
                                union_id=None, correlation_id=uuid.uuid4())
