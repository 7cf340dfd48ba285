"""Event handlers (fan-out) and the dispatcher of the notify service."""
