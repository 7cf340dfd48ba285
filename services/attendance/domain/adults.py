"""Who may take a child home: the adults the guardians authorised, and the guardians themselves."""

from __future__ import annotations

from typing import Any


def pickup_adults(authorised: list[dict[str, Any]], guardians: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each adult by id (as text): name, relationship, and whether a guardian. An authorised adult
    who is also a guardian counts once, as the guardians listed them."""
    adults = {
        a["adult_id"]: {
            "adult_id": a["adult_id"],
            "display_name": a["display_name"],
            "relationship": a.get("relationship"),
            "guardian": False,
        }
        for a in authorised
    }
    for g in guardians:
        adults.setdefault(
            g["guardian_id"],
            {"adult_id": g["guardian_id"], "display_name": g["display_name"], "relationship": None, "guardian": True},
        )
    return adults
