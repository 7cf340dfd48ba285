"""SQL of the subsidy service, on its own database only."""
