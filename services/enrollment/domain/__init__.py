"""Enrollment rules with no I/O: ages, booking calendars, seats, quotas and the waitlist."""


class BookingRefused(ValueError):
    """A booking breaks a rule; ``field`` names the part of the request at fault."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason
