"""Search across every report.

indexer      the search page, the build's index step, the preview's background indexer
index        writing the index and the word lists
records      one search record per report section, from the rendered pages
text         the text of a rendered page, as the index sees it
synonyms     glossary forms searched but never shown
pagefind     the one module that talks to Pagefind
"""
