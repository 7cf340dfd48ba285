"""Enrollment rules with no I/O: ages, booking calendars, seats, quotas and the waitlist."""

from shared.errors import Conflict, Invalid


class BookingRefused(Invalid):
    """A booking breaks a rule; ``field`` names the part of the request at fault."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason, field=field)
        self.field = field
        self.reason = reason


class RegistrationNotOpen(Conflict):
    """The class does not take bookings yet."""


class AlreadyBooked(Conflict):
    """The child already holds some of the days asked for."""


class AlreadyCancelled(Conflict):
    """Nothing of the booking is left to cancel."""


class TooManyChildren(Conflict):
    """A member may be the guardian of only so many children."""


class AgreementNotAccepted(Conflict):
    """The programme's current custody agreement is not accepted for the child yet."""
