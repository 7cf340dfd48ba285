"""`python -m services.notify`: serve the notify service."""

from services.notify.app import definition
from shared.service import run

run(definition)
