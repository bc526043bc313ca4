"""Work a plugin keeps between refreshes of the preview, area by area.

``sendsite serve`` refreshes the site on every save. Most of what a cross-area
page shows is worked out per area (its tracker rows, its risks, its A to Z
entries); an area whose reports are the very same objects as last time (none
was read again, added or removed) gives the very same result, so it is kept in
``Site.memo`` (one dict for the life of a ``Pipeline``) instead of being worked
out again. A save then costs the saved area's share, not the whole site's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sendsite.build.site import AreaEntry, Site

__all__ = ["per_area"]

_T = TypeVar("_T")


def per_area(site: Site, name: str, area: AreaEntry, make: Callable[[AreaEntry], _T]) -> _T:
    """``make(area)``, or what it gave last time for the same area and reports.

    ``name`` says which result (one plugin's own, e.g. ``"views.tracker"``). The
    result must depend on the area and the report objects only (a report read
    again is a new object).
    """
    store: dict[str, tuple[AreaEntry, _T]] = site.memo.setdefault(name, {})
    kept = store.get(area.area.slug)
    if kept is not None and _same(kept[0], area):
        return kept[1]
    value = make(area)
    store[area.area.slug] = (AreaEntry(area.area, area.path, list(area.reports)), value)
    return value


def _same(old: AreaEntry, new: AreaEntry) -> bool:
    return (
        old.area == new.area
        and old.path == new.path
        and len(old.reports) == len(new.reports)
        and all(a is b for a, b in zip(old.reports, new.reports, strict=True))
    )
