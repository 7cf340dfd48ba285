"""Settings of the subsidy service: the shared ones (``SUBSIDY_*``); it has none of its own yet."""

from __future__ import annotations

from shared.settings import ServiceSettings


class SubsidySettings(ServiceSettings):
    """The subsidy service's settings. It needs nothing beyond what every service has; a setting
    of its own goes here (read from ``SUBSIDY_<NAME>``)."""
