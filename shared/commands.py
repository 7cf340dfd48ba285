"""Running a command: one transaction, an idempotency key, retried on deadlock and on a database
outage (a broken or refused connection) with backoff. Free of HTTP: the edge
(shared/http_commands.py) hands in how an outcome or a refusal is answered, and that answer is
what the idempotency key stores."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from shared import idempotency
from shared.consumer import is_transient
from shared.db import acquire
from shared.errors import DATABASE_REFUSALS, DomainError, Unavailable
from shared.outbox import Outbox
from shared.outcomes import Outcome
from shared.principal import Principal
from shared.uow import Actor, UnitOfWork

Answer = tuple[int, dict[str, Any]]  # an HTTP status and body, as the idempotency key stores it
# How the edge answers an outcome or a refusal (shared/http.py).
Answering = Callable[[Outcome | BaseException], Answer]
Command = Callable[[UnitOfWork], Awaitable[Outcome]]
RETRYABLE = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)
# Pauses between tries of a command that met a database outage; after the last one the error goes
# to the HTTP edge, which answers 503 + Retry-After (shared/http.py).
OUTAGE_PAUSES_S = (0.1, 0.3, 0.6, 1.2)
ACQUIRE_TIMEOUT_S = 10.0
log = logging.getLogger(__name__)


def is_outage(exc: BaseException) -> bool:
    """The database, not the request, failed (:func:`shared.consumer.is_transient`). A connection
    cut mid-query by a server shutting down may also surface as asyncpg's InternalClientError
    ("another operation is in progress")."""
    return is_transient(exc) or isinstance(exc, asyncpg.InternalClientError)


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit trail: who ran which command on what, from which service."""

    service: str
    actor: Principal
    action: str
    target: dict[str, str]
    idempotency_key: str
    correlation_id: uuid.UUID

    async def record(self, tx: asyncpg.Connection | asyncpg.Pool, status: int) -> None:
        await tx.execute(_AUDIT, *self._values(status))

    async def record_with_answer(
        self, tx: asyncpg.Connection, *, scope: str, key: str, status: int, body: dict[str, Any]
    ) -> None:
        """The audit line and the idempotency key's stored answer, in one round trip."""
        await tx.execute(_AUDIT_WITH_ANSWER, *self._values(status), scope, key, status, body)

    def _values(self, status: int) -> tuple[object, ...]:
        return (
            self.service,
            self.actor.sub,
            self.actor.role,
            self.actor.union_id,
            self.actor.provider_id,
            self.actor.member_id,
            self.action,
            self.target,
            self.idempotency_key,
            status,
            self.correlation_id,
        )


_AUDIT = """INSERT INTO audit_log (service, actor_sub, actor_role, actor_union_id, actor_provider_id,
                                  actor_member_id, action, target, idempotency_key, status_code, correlation_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"""
# The stored answer's parameters follow the audit line's eleven.
_AUDIT_WITH_ANSWER = "WITH remembered AS ({}) {}".format(
    re.sub(r"\$(\d+)", lambda m: f"${int(m.group(1)) + 11}", idempotency.REMEMBER), _AUDIT
)


async def execute(
    pool: asyncpg.Pool,
    outbox: Outbox,
    actor: Actor,
    *,
    scope: str,
    key: str | None,
    request: Any,
    command: Command,
    answer: Answering,
    audit: AuditEntry | None = None,
    attempts: int = 3,
) -> Answer:
    """Run ``command`` once per ``(scope, key)`` in a transaction; a retry returns the first answer.
    Without a key (a command that is idempotent by itself, such as replacing preferences) it simply
    runs. The audit line commits with the command's effect; a command refused, by the rules or by
    the database, or given up as busy, is audited on its own."""
    run = _Run(pool, outbox, actor, scope=scope, key=key, request=request, command=command, answer=answer, audit=audit)
    try:
        return await run.retried(attempts)
    except (DomainError, *DATABASE_REFUSALS) as refused:
        if audit is not None:
            await audit.record(pool, answer(refused)[0])
        raise


@dataclass(frozen=True)
class _Run:
    pool: asyncpg.Pool
    outbox: Outbox
    actor: Actor
    scope: str
    key: str | None
    request: Any
    command: Command
    answer: Answering
    audit: AuditEntry | None

    async def retried(self, attempts: int) -> Answer:
        """Contention is retried ``attempts`` times, then refused as busy. An outage is retried after
        each of :data:`OUTAGE_PAUSES_S`: the key makes a retry safe even when the connection broke
        after COMMIT, since the retry then finds the stored answer."""
        contended = outages = 0
        while True:
            try:
                return await self.once()
            except RETRYABLE:
                contended += 1
                if contended == attempts:
                    raise Unavailable("busy; retry with the same Idempotency-Key", retry_after_s=1) from None
            except Exception as exc:
                if not is_outage(exc) or outages == len(OUTAGE_PAUSES_S):
                    raise
                log.info("database unavailable; the command is retried", extra={"error": repr(exc)})
                await asyncio.sleep(OUTAGE_PAUSES_S[outages])
                outages += 1

    async def once(self) -> Answer:
        scope, key, audit = self.scope, self.key, self.audit
        async with acquire(self.pool, timeout=ACQUIRE_TIMEOUT_S) as tx, tx.transaction():
            if key is not None and (stored := await idempotency.claim(tx, scope=scope, key=key, request=self.request)):
                if audit is not None:
                    await audit.record(tx, stored[0])
                return stored
            uow = UnitOfWork.of_command(tx, self.outbox, self.actor)
            status, body = self.answer(await self.command(uow))
            await uow.flush()
            if audit is not None and key is not None:
                await audit.record_with_answer(tx, scope=scope, key=key, status=status, body=body)
            elif audit is not None:
                await audit.record(tx, status)
            elif key is not None:
                await idempotency.remember(tx, scope=scope, key=key, status=status, body=body)
            return status, body
