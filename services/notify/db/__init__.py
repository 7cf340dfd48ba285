"""SQL of the notify service, on its own database only."""
