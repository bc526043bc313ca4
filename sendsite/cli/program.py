"""The ``sendsite`` program: the command line in a process of its own.

``main`` (the command group) is also called inside other programs (a test runner);
``run`` is what the ``sendsite`` command and ``python -m sendsite`` start, and says
so, for what only a process of its own may do (see ``build(own_process=...)``).
"""

from __future__ import annotations

__all__ = ["own_process", "run"]

#: Whether the command line is the program this process runs, not part of another.
own_process = False


def run() -> None:
    """Run the command line as this process's program."""
    global own_process
    own_process = True
    from sendsite.cli.commands import main  # here: commands reads this module's flag

    main()
