"""Build: read (in parallel) → link → render → write (atomic).

publish      sendsite build and check: the pipeline run once, then written
pipeline     the pipeline in memory, refreshed cheaply (the preview keeps one)
reading      one content file read by its format plugin; problem collection
parallel     reading many files on several cores
site         the linked site: areas, reports, pages, output paths
pages        every page of the site with its template and context
page_maker   one page rendered to bytes: template, content links, abbreviations
render       the Jinja2 environment and rendering one page
static       the theme's and plugins' static files; the built-in theme's minified
links        links between content files and to attachments
urls         relative URLs between pages
series       an area's reports in order; each linked to the one before and after
matching     which item of one report is which item of the next
changes      what changed since the last report
collisions   one source per output address
writer       writing the site atomically
deferred     files made when first asked for (by the preview)
progress     seconds per stage, and progress bars on a terminal
"""
