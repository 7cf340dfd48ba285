"""`python -m services.attendance`: serve the attendance service."""

from services.attendance.app import definition
from shared.service import run

run(definition)
