"""Event contracts: one module per producing service, each event a typed model.

Importing this package registers every event type in ``Event.REGISTRY``; the event catalogue
(docs/events.md), the AsyncAPI document and the compatibility baseline are regenerated from it with
``./tuoguan contracts`` (``python -m shared.contracts``).
"""

from shared.contracts import attendance, enrollment, notify, partners, subsidy
from shared.envelope import Event

__all__ = ["Event", "attendance", "enrollment", "notify", "partners", "subsidy"]
