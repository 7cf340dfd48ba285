"""Enrollment's lists page the one way every service's lists do (shared/paging.py)."""

from shared.paging import Page, Paging

__all__ = ["Page", "Paging"]
