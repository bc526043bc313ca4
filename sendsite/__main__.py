"""``python -m sendsite`` runs the command line."""

from sendsite.cli.program import run

run()
