"""``python -m sendsite`` runs the command line."""

from sendsite.cli.commands import run

run()
