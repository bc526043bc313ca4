"""What an open tab is told: whether the page it shows changed between two builds.

A tab asks with the number of the build its page came from; the preview keeps the last
``RECENT`` builds to compare that page with the newest one's, and a tab reloads only if
they differ (a save of one area's report leaves another area's tabs alone).
"""

from __future__ import annotations

from sendsite.build.deferred import Deferred

__all__ = ["RECENT", "same_page"]

#: How many of the last builds are kept for tabs to compare their page with.
RECENT = 8


def same_page(then: object, now: object) -> bool:
    """Whether a tab's page is as it was: the same page kept between builds, or the
    same bytes (a saved report's page, shown first and then kept by the rebuild; a page
    made when first opened, as the tab's was, made now to compare)."""
    if then is now:
        return True
    before = _made(then) if not isinstance(then, Deferred) or then.made else None
    if before is None:
        return False  # the tab's page was never made: it cannot be compared
    try:
        return before == _made(now)
    except Exception:  # its error page: the tab shows it
        return False


def _made(page: object) -> object:
    """A page's bytes (made now if it is made when first opened), or None."""
    if isinstance(page, bytes):
        return page
    return page.get() if isinstance(page, Deferred) else None
