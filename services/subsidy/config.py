"""Settings of the subsidy service: the shared ones and its own (``SUBSIDY_*``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.settings import ServiceSettings

if TYPE_CHECKING:  # handlers import this module; at run time it must not bring in shared.service (FastAPI)
    from shared.service import Runtime


class SubsidySettings(ServiceSettings):
    """The subsidy service's settings; each of its own is read from ``SUBSIDY_<NAME>``."""

    # Verifies the payment gateway's signed callbacks (docs/payment-gateway.md); required, no
    # default (shared/secrets.py checks it at start; deploy/keys.py generates one per install).
    payment_gateway_secret: str


def settings_of(runtime: Runtime) -> SubsidySettings:
    """The runtime's settings, typed as subsidy's own."""
    return runtime.settings_as(SubsidySettings)
