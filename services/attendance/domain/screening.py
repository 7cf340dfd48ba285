"""The health screening at the door."""

from __future__ import annotations

FEVER_C = 37.3
# Symptoms that keep a child at home whatever the thermometer says.
EXCLUDING_SYMPTOMS = frozenset({"fever", "cough", "vomiting", "diarrhoea", "rash", "conjunctivitis"})


def screening_refusal(temperature_c: float, symptoms: list[str]) -> str | None:
    """Why a child may not come in today, or None when the screening passes."""
    if temperature_c >= FEVER_C:
        return f"temperature {temperature_c:.1f} °C is {FEVER_C} °C or above"
    listed = sorted(set(symptoms) & EXCLUDING_SYMPTOMS)
    if listed:
        return "symptoms: " + ", ".join(listed)
    return None
