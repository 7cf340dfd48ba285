"""SQL of the enrollment service, on its own database only."""
