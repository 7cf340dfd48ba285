"""subsidy: union policies and funds, subsidy applications, approval and settlement."""
