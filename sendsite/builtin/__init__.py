"""Built-in features, registered as plugins through the same door as any other.

views        the cross-area pages (dashboard, tracker, register, topics, glossary, search)
a_to_z       the A to Z index of reports, sections, areas and topics
crossarea    the rows those pages show, computed from the common items
exports      data/milestones.csv, data/risks.csv and data/items.json
whats_changed  the What changed page, data/changes.csv and .json, Atom feeds
search/      the search index
"""
