"""Pages of a list whose cost does not grow with the table behind it.

Flask-SQLAlchemy's `db.paginate` counts every matching row on each request: cheap for a few
hundred rows, linear for 100,000 interviews or a common surname among 20,000 candidates. Here
the count stops at `COUNT_CAP` rows (the pager then says "more than 500") and "Next" comes
from reading one row past the page, so a page costs about the same at any data size. Deep
pages still pay for their OFFSET; narrowing the search is the way to them (docs/scale.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from portal.extensions import db

COUNT_CAP = 500
MAX_PAGE = 1000  # OFFSET past this is refused (page 1000 is 25,000 rows in): no "Next" there


@dataclass(frozen=True)
class Page:
    """One page of results, with what the pager shows."""

    items: list[Any]
    page: int
    per_page: int
    total: int  # exact unless `capped`, when it is COUNT_CAP: "more than" that
    capped: bool
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def pages(self) -> int | None:
        """The number of pages, or None when the count was capped."""
        if self.capped:
            return None
        return max(1, -(-self.total // self.per_page))

    @property
    def shown(self) -> bool:
        """Whether there is more than one page (so the pager is worth showing)."""
        return self.has_prev or self.has_next


def requested_page() -> int:
    """The ?page= of this request: a whole number from 1 to MAX_PAGE, else 1."""
    page = request.args.get("page", 1, type=int) or 1
    return page if 1 <= page <= MAX_PAGE else 1


def paginate(query: Select, *, per_page: int, cap: int = COUNT_CAP) -> Page:
    """Run `query` (ordered, with its loader options) for the requested page."""
    page = requested_page()
    rows = list(db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)))
    has_next = len(rows) > per_page and page < MAX_PAGE
    items = rows[:per_page]
    counted = query.order_by(None).limit(cap + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(counted)) or 0
    capped = total > cap
    return Page(items, page, per_page, cap if capped else total, capped, has_next)
