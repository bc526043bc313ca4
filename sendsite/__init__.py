"""sendsite: static sites for SEND partnership progress reports.

Plugin authors import what they need from here::

    from sendsite import hookimpl, Format, Report, Item, Risk, Fields

Each name is loaded from its module when first asked for (PEP 562), so starting the
``sendsite`` command loads nothing before it can catch a Ctrl-C.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sendsite.build.deferred import Streamed
    from sendsite.build.pages import Page
    from sendsite.content.dates import DueDate, parse_due
    from sendsite.content.documents import Area, Document
    from sendsite.content.fields import Fields
    from sendsite.content.model import (
        Format,
        GlossaryTerm,
        Item,
        Report,
        Risk,
        Section,
        facts,
        tally,
    )
    from sendsite.content.risk_rating import (
        RatingEntry,
        RiskKey,
        RiskLevel,
        RiskRating,
        load_risk_key,
    )
    from sendsite.content.status import KeyEntry, Level, Status, StatusKey, load_status_key
    from sendsite.errors import ContentError, PluginError, SendsiteError
    from sendsite.hookspecs import hookimpl

#: Each public name and the module that holds it.
_HOMES = {
    "Streamed": "sendsite.build.deferred",
    "Page": "sendsite.build.pages",
    "DueDate": "sendsite.content.dates",
    "parse_due": "sendsite.content.dates",
    "Area": "sendsite.content.documents",
    "Document": "sendsite.content.documents",
    "Fields": "sendsite.content.fields",
    **dict.fromkeys(
        ("Format", "GlossaryTerm", "Item", "Report", "Risk", "Section", "facts", "tally"),
        "sendsite.content.model",
    ),
    **dict.fromkeys(
        ("RatingEntry", "RiskKey", "RiskLevel", "RiskRating", "load_risk_key"),
        "sendsite.content.risk_rating",
    ),
    **dict.fromkeys(
        ("KeyEntry", "Level", "Status", "StatusKey", "load_status_key"), "sendsite.content.status"
    ),
    **dict.fromkeys(("ContentError", "PluginError", "SendsiteError"), "sendsite.errors"),
    "hookimpl": "sendsite.hookspecs",
}

__all__ = [
    "Area",
    "ContentError",
    "Document",
    "DueDate",
    "Fields",
    "Format",
    "GlossaryTerm",
    "Item",
    "KeyEntry",
    "Level",
    "Page",
    "PluginError",
    "RatingEntry",
    "Report",
    "Risk",
    "RiskKey",
    "RiskLevel",
    "RiskRating",
    "Section",
    "SendsiteError",
    "Status",
    "StatusKey",
    "Streamed",
    "facts",
    "hookimpl",
    "load_risk_key",
    "load_status_key",
    "parse_due",
    "tally",
]


def __getattr__(name: str) -> object:
    """Load a public name from its module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sendsite' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the ones not loaded yet included."""
    return sorted({*globals(), *__all__})
