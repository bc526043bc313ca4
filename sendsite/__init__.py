"""sendsite: static sites for SEND partnership progress reports.

Plugin authors import what they need from here::

    from sendsite import hookimpl, Format, Report, Item, Risk, Fields
"""

from .content import Area, Document
from .dates import DueDate, parse_due
from .errors import ContentError, PluginError, SendsiteError
from .fields import Fields
from .hookspecs import hookimpl
from .model import Format, GlossaryTerm, Item, Report, Risk, Section, facts, tally
from .status import KeyEntry, Level, Status, StatusKey

__version__ = "0.1.0"

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
    "PluginError",
    "Report",
    "Risk",
    "Section",
    "SendsiteError",
    "Status",
    "StatusKey",
    "facts",
    "hookimpl",
    "parse_due",
    "tally",
]
