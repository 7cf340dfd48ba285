"""SQL of the attendance service, on its own database only."""
