"""The command line.

commands     sendsite build, check, serve, plugins, schema, new-area
program      the sendsite program: the command line in a process of its own
schema       sendsite schema, and the schemas a build leaves in .sendsite/
messages     problems formatted for people
outcome      what build and check did: the summary and the JSON
scaffold     sendsite new-area, from scaffold_templates/
"""
