"""Built-in features, registered as plugins through the same door as any other.

views        the cross-area pages (dashboard, tracker, register, topics, glossary, search)
crossarea    the rows those pages show, computed from the common items
exports      data/milestones.csv, data/risks.csv and data/items.json
whats_changed  the What changed page, data/changes.csv and .json, Atom feeds
search/      the search index
"""
