"""`python -m services.subsidy`: serve the subsidy service."""

from services.subsidy.app import definition
from shared.service import run

run(definition)
