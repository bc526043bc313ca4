"""sendsite serve: the live preview.

live         the site built in memory and kept current; the error page
http         the HTTP handler: which files, which hosts, the reload endpoint
server       the preview server: live site, HTTP server and watcher together
tabs         whether an open tab's page changed between two builds
watch        noticing saves, whatever the editor
"""
