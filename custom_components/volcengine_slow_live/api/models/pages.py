"""One page of a list action's items, and how a paged Result is read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .fields import _Fields, _Model

__all__ = ["Page", "parse_page"]


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Page[T](_Model):
    """One page of a list action's items."""

    items: tuple[T, ...]
    page_number: int
    """1-based."""
    page_size: int
    total_count: int | None = None
    """None when the server does not say (the Python SDK's ListSpaces model)."""


def parse_page[T](result: object, key: str, item: Callable[[object], T]) -> Page[T]:
    """Parse a paged Result, e.g. `parse_page(result, "Streams", Stream.from_api)`.

    Missing paging fields default to page 1 holding everything returned; page 0
    (ListSpaces' documented example) means the first page.
    """
    f = _Fields.top(result, "Result")
    items = tuple(item(entry) for entry in f.items(key))
    return Page(
        items=items,
        page_number=max(f.integer("PageNumber", 1), 1),
        page_size=f.integer("PageSize", len(items)),
        total_count=f.opt_integer("TotalCount"),
    )
