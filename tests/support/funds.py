"""Subsidy money for tests: the demo's own set-up (deploy/funds.py)."""

from deploy.funds import members_discount

__all__ = ["members_discount"]
