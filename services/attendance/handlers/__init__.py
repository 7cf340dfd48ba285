"""Commands and event handlers of the attendance service. Each gets a unit of work (shared/uow.py):
one transaction, and the events it emits, written to the outbox when that transaction commits."""
