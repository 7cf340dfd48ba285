"""Settings of the subsidy service: the shared ones (``SUBSIDY_*``); it has none of its own yet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.settings import ServiceSettings

if TYPE_CHECKING:  # handlers import this module; at run time it must not bring in shared.service (FastAPI)
    from shared.service import Runtime


class SubsidySettings(ServiceSettings):
    """The subsidy service's settings. It needs nothing beyond what every service has; a setting
    of its own goes here (read from ``SUBSIDY_<NAME>``)."""


def settings_of(runtime: Runtime) -> SubsidySettings:
    """The runtime's settings, typed as subsidy's own."""
    return runtime.settings_as(SubsidySettings)
