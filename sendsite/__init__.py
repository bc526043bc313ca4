"""sendsite: static sites for SEND partnership progress reports.

Plugin authors import what they need from here::

    from sendsite import hookimpl, Format, Report, Item, Risk, Fields
"""

__version__ = "0.1.0"  # before the imports: modules they load may ask for it

from sendsite.build.deferred import Streamed
from sendsite.build.pages import Page
from sendsite.content.dates import DueDate, parse_due
from sendsite.content.documents import Area, Document
from sendsite.content.fields import Fields
from sendsite.content.model import Format, GlossaryTerm, Item, Report, Risk, Section, facts, tally
from sendsite.content.risk_rating import RatingEntry, RiskKey, RiskLevel, RiskRating, load_risk_key
from sendsite.content.status import KeyEntry, Level, Status, StatusKey
from sendsite.errors import ContentError, PluginError, SendsiteError
from sendsite.hookspecs import hookimpl

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
    "parse_due",
    "tally",
]
