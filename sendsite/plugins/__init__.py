"""Plugins: how they are found, loaded, called and listed.

manager      a fresh plugin manager per build; calling hooks with the plugin named
local        the site's own plugins folder, loaded without installing
listing      what `sendsite plugins` shows
isolation    checking a site when a plugin is broken
results      checks on what a hook returned
"""
