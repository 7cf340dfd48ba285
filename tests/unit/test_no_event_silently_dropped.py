"""No event is silently dropped: every event type the services publish on their own streams is told
to someone by notify, or listed in notify's SILENT set with its reason; never both, never neither."""

from __future__ import annotations

import importlib
import pkgutil

import shared.contracts
from services.notify.domain.silent import SILENT, told_types, unaccounted
from services.notify.handlers.events import events
from shared.envelope import Event
from shared.topics import STREAMS


def published() -> set[str]:
    """Every event type declared for a service's own stream (every contract module imported)."""
    for module in pkgutil.iter_modules(shared.contracts.__path__):
        importlib.import_module(f"{shared.contracts.__name__}.{module.name}")
    return {t for t, model in Event.REGISTRY.items() if model.STREAM in STREAMS}


def test_every_published_event_type_is_told_to_someone_or_silent_with_a_reason() -> None:
    found = unaccounted(published(), told_types(), SILENT)
    assert not found, str(found)
    assert all(reason.strip() and "\n" not in reason for reason in SILENT.values()), "one line of reason each"


def test_notify_consumes_every_event_type_it_tells_of() -> None:
    assert told_types() <= set(events.handlers), sorted(told_types() - set(events.handlers))
    assert set(events.handlers) <= told_types() | set(SILENT), "what notify consumes is told or silent"


def test_the_check_names_an_event_type_nobody_is_told_of() -> None:
    found = unaccounted(published() | {"invoice.overdue"}, told_types(), SILENT)
    assert found.neither == ("invoice.overdue",) and not found.both
    assert "neither told nor listed as silent" in str(found) and "invoice.overdue" in str(found)


def test_the_check_names_an_event_type_both_told_and_silent() -> None:
    found = unaccounted(published(), told_types(), {**SILENT, "child.absent": "already told"})
    assert found.both == ("child.absent",) and "(remove them from SILENT): child.absent" in str(found)
    stale = unaccounted(published(), told_types(), {**SILENT, "no.such_event": "gone"})
    assert stale.stale == ("no.such_event",)
