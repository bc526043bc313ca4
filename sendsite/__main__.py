"""``python -m sendsite`` runs the command line."""

from .cli import main

main()
