"""One way to page every list of every service: ``limit`` (1–100, 20 by default) and ``offset``;
an answer says ``next_offset``, the offset of the next page, or null on the last page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query

T = TypeVar("T")


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int

    @property
    def fetch(self) -> int:
        """Rows to ask for: one more than a page, to know whether another page follows."""
        return self.limit + 1

    def page(self, rows: Sequence[T]) -> tuple[list[T], dict[str, Any]]:
        """The page's rows, and the paging fields of the answer."""
        more = len(rows) > self.limit
        return list(rows[: self.limit]), {
            "limit": self.limit,
            "offset": self.offset,
            "next_offset": self.offset + self.limit if more else None,
        }


def _paging(
    limit: int = Query(20, ge=1, le=100, description="Items per page"),
    offset: int = Query(0, ge=0, le=100_000, description="Items to skip: the previous answer's next_offset"),
) -> Paging:
    return Paging(limit, offset)


Page = Annotated[Paging, Depends(_paging)]
