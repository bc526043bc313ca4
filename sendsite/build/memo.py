"""Work a plugin keeps between refreshes of the preview, area by area.

``sendsite serve`` refreshes the site on every save. Most of what a cross-area
page shows is worked out per area (its tracker rows, its risks, its A to Z
entries); an area whose reports are the very same objects as last time (none
was read again, added or removed) gives the very same result, so it is kept in
``Site.memo`` (one dict for the life of a ``Pipeline``) instead of being worked
out again. A save then costs the saved area's share, not the whole site's. Work
done one report at a time (which topics it matches) is kept per report instead; a
small result may be kept on the report's entry itself (``on_entry``), which the build
cache keeps with the entry, so a build after an edit works it out again only for the
reports read again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sendsite.build.site import AreaEntry, ReportEntry, Site

__all__ = ["per_area", "per_report"]

_T = TypeVar("_T")


def per_area(
    site: Site,
    name: str,
    area: AreaEntry,
    make: Callable[[AreaEntry], _T],
    depends: Hashable = None,
) -> _T:
    """``make(area)``, or what it gave last time for the same area and reports.

    ``name`` says which result (one plugin's own, e.g. ``"views.tracker"``). The
    result must depend on the area, the report objects (a report read again is a
    new object) and ``depends`` (compared by value, e.g. the topics' words) only.
    """
    store: dict[Hashable, tuple[Any, Hashable, _T]] = site.memo.setdefault(name, {})
    return _kept(
        store,
        area.area.slug,
        lambda old: _same(old, area),
        lambda: (AreaEntry(area.area, area.path, list(area.reports)), make(area)),
        depends,
    )


def per_report(
    site: Site,
    name: str,
    entry: ReportEntry,
    make: Callable[[ReportEntry], _T],
    depends: Hashable = None,
    *,
    on_entry: bool = False,
) -> _T:
    """``make(entry)``, or what it gave last time for the same report object and
    ``depends`` (compared by value): for work on one report at a time.

    With ``on_entry`` the result is kept in ``entry.kept`` rather than ``site.memo``,
    and so in the build cache too: for a result that is small and refers to no other
    report (it is pickled with the entry).
    """
    if on_entry:
        kept = entry.kept.get(name)
        if kept is not None and kept[0] == depends:
            return kept[1]  # type: ignore[no-any-return]  # what ``make`` gave for this name
        value = make(entry)
        entry.kept[name] = (depends, value)
        return value
    store: dict[Hashable, tuple[Any, Hashable, _T]] = site.memo.setdefault(name, {})
    return _kept(
        store,
        entry.document.relpath,
        lambda old: old is entry,
        lambda: (entry, make(entry)),
        depends,
    )


def _kept(
    store: dict[Hashable, tuple[Any, Hashable, _T]],
    key: Hashable,
    still: Callable[[Any], bool],
    make: Callable[[], tuple[Any, _T]],
    depends: Hashable,
) -> _T:
    """The value kept under ``key`` if what it was made from is ``still`` the same and
    ``depends`` is equal; else one made now (with what it is made from) and kept."""
    kept = store.get(key)
    if kept is not None and kept[1] == depends and still(kept[0]):
        return kept[2]
    source, value = make()
    store[key] = (source, depends, value)
    return value


def _same(old: AreaEntry, new: AreaEntry) -> bool:
    return (
        old.area == new.area
        and old.path == new.path
        and len(old.reports) == len(new.reports)
        and all(a is b for a, b in zip(old.reports, new.reports, strict=True))
    )
