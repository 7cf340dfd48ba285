"""`python -m services.enrollment`: serve the enrollment service."""

from services.enrollment.app import definition
from shared.service import run

run(definition)
