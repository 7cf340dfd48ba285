"""Partners (insurers, statistics offices, other city systems) and the feeds they may read.

A partner reads only its own topics, ``partner.<partner>.<feed>``, and each feed carries the
least it needs: a child appears only as a pseudonym that is stable for that partner and cannot
be linked across partners (an HMAC of the child id keyed with the city's secret and the partner's
name); ages come as bands; there are no names, contacts or health data.

Nor can two partners join their feeds on the envelope: every partner event gets a fresh
correlation id and no causation id (the internal chain stays inside Tuoguan), a random event id,
a key that is either the partner's own pseudonym or the union, and an ``occurred_at`` (and Kafka
record time) coarsened to the hour. Statistics offices get periodic aggregates, never one event
per child (shared/statistics.py).

``TUOGUAN_PARTNERS`` lists the partners: ``"pingan:insurance,henan-stats:statistics"`` (read in
shared/topics.py, which names every topic).
``TUOGUAN_PSEUDONYM_KEY`` is the city's secret, required (no default) in the services that publish
pseudonyms; rotate it and every pseudonym changes.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import uuid
from collections.abc import Callable

from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import secrets
from shared.envelope import Event
from shared.outbox import FollowUp
from shared.topics import Partner, partners


class PseudonymSettings(BaseSettings):
    """``TUOGUAN_PSEUDONYM_KEY``, checked by :func:`shared.secrets.check` when first used."""

    model_config = SettingsConfigDict(env_prefix="TUOGUAN_", extra="ignore")

    pseudonym_key: str = ""


def pseudonym(partner: Partner, subject: uuid.UUID) -> str:
    """Stable for one partner, unlinkable across partners without the city's key."""
    return hmac.new(_pseudonym_key(), f"{partner.name}:{subject}".encode(), hashlib.sha256).hexdigest()[:32]


@functools.cache
def _pseudonym_key() -> bytes:
    return secrets.check("TUOGUAN_PSEUDONYM_KEY", PseudonymSettings().pseudonym_key).encode()


def cover_id(partner: Partner, child_id: uuid.UUID, programme_id: uuid.UUID) -> str:
    """The child's cover in a programme (the covered period), pseudonymous like the child: the
    insurer matches a claim notice to the cover it was told of."""
    return pseudonym(partner, uuid.uuid5(child_id, str(programme_id)))


def age_band(birth_date: dt.date, on: dt.date) -> str:
    years = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    for upper in (3, 6, 9, 12):
        if years < upper:
            return f"{upper - 3}-{upper}"
    return "12+"


def of_feed(feed: str) -> list[Partner]:
    return [p for p in partners() if p.feed == feed]


def coarse(moment: dt.datetime) -> dt.datetime:
    """The hour a partner event is dated with: precise times would link two partners' records."""
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def follow_ups(feed: str, build: Callable[[Partner], Event], *, union_id: uuid.UUID | None) -> list[FollowUp]:
    """One event per partner of ``feed``, for a unit of work's outbox (shared/uow.py): each with a correlation id
    of its own, no causation id and an hour for its time, so that nothing but the data relates it
    to the internal event or to another partner's copy."""
    hour = coarse(dt.datetime.now(dt.UTC))
    return [FollowUp(build(p), union_id, uuid.uuid4(), stream=p.stream, occurred_at=hour) for p in of_feed(feed)]
