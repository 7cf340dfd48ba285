"""The dispatcher: sends due notifications on outside channels, each independently.

A notification is leased (status 'sending' for 60 s), sent outside any transaction, then marked
delivered, or put back with exponential backoff, or failed after the last attempt. A crash
between sending and marking lets the lease run out and the notification go again: receivers
get the notification id as ``Idempotency-Key`` (Message-ID for e-mail) to recognise it.

One slow or failing receiver never holds up the others: up to ``delivery_concurrency`` sends are
in flight at once, each under its own deadline, and every tick claims as many due notifications
as there are free places without waiting for the sends already under way. A pick-up code is
opened here, just before it goes to the guardian, and only while it is valid.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import asyncpg
from opentelemetry.trace import SpanKind, Status, StatusCode

from services.notify.channels import TOO_SLOW, Channel, Delivery, DeliveryFailed
from services.notify.config import NotifySettings
from services.notify.db import notifications as db
from services.notify.domain.codes import with_code
from shared import tracing
from shared.contracts.notify import NotificationDelivered, NotificationFailed
from shared.outbox import Outbox
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)


class Dispatcher:
    """The sends in flight of one service instance."""

    def __init__(
        self, pool: asyncpg.Pool, outbox: Outbox, channels: dict[str, Channel], settings: NotifySettings
    ) -> None:
        self.pool, self.outbox, self.channels, self.settings = pool, outbox, channels, settings
        self.sending: set[asyncio.Task] = set()

    async def dispatch_due(self) -> int:
        """Start sending what is due, as far as there is room; the number started."""
        room = self.settings.delivery_concurrency - len(self.sending)
        if room <= 0:
            return 0
        claimed = await db.claim_due(self.pool, dt.datetime.now(dt.UTC), room)
        for row in claimed:
            task = asyncio.create_task(self._deliver(row), name=f"deliver {row['notification_id']}")
            self.sending.add(task)
            task.add_done_callback(self.sending.discard)
        return len(claimed)

    async def _deliver(self, row: asyncpg.Record) -> None:
        try:
            with tracing.span(
                f"notification deliver {row['channel']}",
                traceparent=row["traceparent"],
                kind=SpanKind.CLIENT,
                **{
                    "tuoguan.notification_id": str(row["notification_id"]),
                    "tuoguan.channel": row["channel"],
                    "tuoguan.attempt": row["attempts"],
                },
            ) as delivering:
                sent = await self._attempt(row)
                if isinstance(sent, DeliveryFailed):
                    delivering.set_status(Status(StatusCode.ERROR, sent.detail[:200]))
                await self._record(row, sent)  # its events carry the delivery's trace
        except Exception:  # the lease runs out and the notification goes again
            log.exception("a delivery could not be recorded", extra={"notification_id": str(row["notification_id"])})

    async def _attempt(self, row: asyncpg.Record) -> str | DeliveryFailed:
        """Send once under the deadline: the receipt, or the failure (its detail for operators, its
        reason for the guardian)."""
        channel = self.channels.get(row["channel"])
        try:
            body = with_code(
                row["body"],
                row["language"],
                db.sealed_code(row),
                private_key=self.settings.seal_private_key,
                reveal=True,
                now=dt.datetime.now(dt.UTC),
            )
            delivery = Delivery(
                row["notification_id"],
                row["guardian_id"],
                row["child_id"],
                row["channel"],
                row["address"],
                body,
                row["safety"],
                row["language"],
                row["signing_secret"],
            )
            if channel is None:
                raise DeliveryFailed(
                    f"no {row['channel']} channel is configured", retry=False, reason="this channel is not available"
                )
            async with asyncio.timeout(self.settings.delivery_timeout_s):
                return await channel.send(delivery)
        except TimeoutError:
            return DeliveryFailed(f"no answer within {self.settings.delivery_timeout_s} s", reason=TOO_SLOW)
        except DeliveryFailed as exc:
            return exc
        except Exception as exc:  # a channel bug must not take the dispatcher down
            return DeliveryFailed(f"{type(exc).__name__}: {exc}")

    async def _record(self, row: asyncpg.Record, sent: str | DeliveryFailed) -> None:
        """The attempt in the delivery log (the receipt, or the failure's detail), and the
        guardian-facing state (with the failure's reason)."""
        if isinstance(sent, DeliveryFailed):
            last = not sent.retry or row["attempts"] >= self.settings.delivery_max_attempts
            log.warning(
                "delivery attempt failed",
                extra={
                    "notification_id": str(row["notification_id"]),
                    "channel": row["channel"],
                    "attempt": row["attempts"],
                    "detail": sent.detail,
                    "final": last,
                },
            )
            outcome, receipt = ("failed" if last else "retry"), sent.detail
        else:
            outcome, receipt = "delivered", sent
        async with UnitOfWork.begin(self.pool, self.outbox) as uow:
            tx = uow.tx
            await db.record_attempt(tx, row["notification_id"], row["attempts"], outcome, receipt)
            fields = {
                "notification_id": row["notification_id"],
                "guardian_id": row["guardian_id"],
                "child_id": row["child_id"],
                "channel": row["channel"],
            }
            # Guardians' notifications about a child are announced (not a confirmation code, nor a
            # message to an emergency or staff contact, who are not guardians).
            about_a_child = row["child_id"] is not None and row["recipient"] == "guardian"
            if not isinstance(sent, DeliveryFailed):
                if await db.mark_delivered(tx, row["notification_id"]) and about_a_child:
                    uow.emit(
                        NotificationDelivered(
                            **fields, source_event_id=row["source_event_id"], source_event_type=row["source_type"]
                        )
                    )
            elif outcome == "retry":
                delay = min(
                    self.settings.delivery_backoff_s * 2 ** (row["attempts"] - 1), self.settings.delivery_backoff_max_s
                )
                await db.retry_later(
                    tx, row["notification_id"], dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay), sent.reason
                )
            else:
                await db.mark_failed(tx, row["notification_id"], sent.reason)
                if about_a_child:
                    uow.emit(NotificationFailed(**fields, attempts=row["attempts"], error=sent.reason))
