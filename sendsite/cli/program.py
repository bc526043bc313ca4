"""The ``sendsite`` program: the command line in a process of its own.

``main`` (the command group) is also called inside other programs (a test runner);
``run`` is what the ``sendsite`` command and ``python -m sendsite`` start, and says
so, for what only a process of its own may do (see ``build(own_process=...)``).
"""

from __future__ import annotations

import sys

__all__ = ["own_process", "run"]

#: Whether the command line is the program this process runs, not part of another.
own_process = False


def run() -> None:
    """Run the command line as this process's program."""
    global own_process
    own_process = True
    try:
        from sendsite.cli.commands import main  # here: commands reads this module's flag
    except KeyboardInterrupt:  # Ctrl-C while it starts: as the command line says it after
        sys.stderr.write("\nAborted!\n")
        sys.exit(1)
    main()
