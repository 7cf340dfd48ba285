"""Staffing ratios: how many children one member of staff may look after."""

from __future__ import annotations

# Children one member of staff may look after, by class type.
CHILDREN_PER_STAFF = {"infant": 5, "kindergarten": 15, "school_age": 20}
DEFAULT_CHILDREN_PER_STAFF = 15  # a class type not listed above


def children_per_staff(class_type: str) -> int:
    return CHILDREN_PER_STAFF.get(class_type, DEFAULT_CHILDREN_PER_STAFF)


def ratio_exceeded(class_type: str, present: int, staff: int) -> bool:
    return present > staff * children_per_staff(class_type)
