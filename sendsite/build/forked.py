"""Work done in a child process, so the memory it used is the system's again once it ends.

``sendsite build`` reads, renders and writes a site in a forked child and runs the
search indexer (Pagefind, itself a big process) from the parent once the child has
exited. Python rarely hands freed memory back to the system while it runs, so
collecting the site's objects would leave most of it held beside Pagefind; a child
that exits gives all of it back. (Runs that fit beside the child in memory are started
by the child itself, to index while it writes the site: ``search.background``.) Only
the ``sendsite`` program does this (``own_process``): forking inside another program
would copy that program too.

The child's result comes back pickled through a pipe. So does an exception it
raises, with the traceback behind it as text (``ChildTraceback``, shown by
``--verbose``), as ``concurrent.futures`` does for its worker processes.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from sendsite.errors import SendsiteError

__all__ = ["ChildTraceback", "can_fork", "ending_with_this", "in_child", "yield_cores"]

T = TypeVar("T")
#: Linux's ``prctl`` option asking for a signal when the parent process dies.
_PR_SET_PDEATHSIG = 1
#: How much lower ``yield_cores`` puts a child's thread (``nice``: 0 to 19).
_NICER = 10
#: True in a child of ``in_child`` (which ends when its work does).
_in_child = False


class ChildTraceback(Exception):
    """The traceback of an exception raised in the child process, as text."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f"\n{self.text}"


def can_fork() -> bool:
    """Whether this system forks processes (not Windows)."""
    return hasattr(os, "fork")


def in_child(work: Callable[[], T]) -> T:
    """``work()``, run in a forked child; its result (or exception) once the child has ended.

    An interruption (Ctrl-C) reaches the child too and comes back as its exception.
    A child killed before it could answer (by the system, out of memory) is reported
    as a ``SendsiteError`` saying so.
    """
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    reading, writing = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        global _in_child
        _in_child = True
        os.close(reading)
        _end_with(parent)
        _answer(work, writing)
    os.close(writing)
    answer = b""
    try:
        with os.fdopen(reading, "rb") as pipe:
            answer = pipe.read()
    except BaseException:
        _stop(pid)
        raise
    status = _wait(pid)
    try:
        kind, value = pickle.loads(answer)
    except Exception:  # nothing, or cut short: the child was killed while it answered
        raise SendsiteError(
            f"the build stopped before it finished ({_ended(status)})",
            fix="If the machine ran out of memory, close other programs or build on a "
            "bigger machine; otherwise build again with --verbose and report what it shows.",
        ) from None
    if kind == "error":
        raise value
    return value  # type: ignore[no-any-return]


def yield_cores() -> bool:
    """In a child of ``in_child`` on Linux, run the calling thread at a lower priority
    for the rest of the child's life, so processes it has started (Pagefind, indexing
    while the site is written) have the cores first: the thread's own work has room
    to finish before theirs. False (nothing done) elsewhere: a priority lowered cannot
    be raised again without privileges, and the calling program would keep it."""
    if not _in_child or not sys.platform.startswith("linux"):
        return False
    thread = threading.get_native_id()  # on Linux a priority is a thread's own
    try:
        os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + _NICER)
    except OSError:
        return False
    return True


def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl`` (Linux), found once, before any fork: a process just forked from
    one with threads should call what it was given, not look things up."""
    if not sys.platform.startswith("linux"):
        return None
    with contextlib.suppress(OSError, AttributeError):
        return ctypes.CDLL(None, use_errno=True).prctl
    return None


_PRCTL = _prctl()


def _end_with(parent: int) -> None:
    """In a child just forked from ``parent``: be killed when the thread that forked it
    ends (Linux), not go on building for a build that is gone; end now if ``parent``
    already has."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before that was asked for
        os._exit(1)


#: What ``ending_with_this`` runs first: ``_end_with`` for a program of any kind (before
#: it becomes that program; so the build, however big, is never forked for it).
_LAUNCH = """\
import ctypes, os, sys
ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
if os.getppid() != int(sys.argv[1]):
    os._exit(1)
try:
    os.execv(sys.argv[2], sys.argv[2:])
except OSError as exc:
    sys.stderr.write(f"cannot run {sys.argv[2]}: {exc.strerror}\\n")
    os._exit(127)
"""


def ending_with_this(command: list[str]) -> list[str]:
    """``command`` made to end when the thread starting it (``subprocess.Popen``) does, as
    ``_end_with`` (Linux: the thread waits for it, or the build died), so a build killed
    leaves nothing writing into a folder the next build uses (Pagefind, the copying
    process); ``command`` as it is where that cannot be asked for. (Python's
    ``preexec_fn`` would fork the build for it, 40 ms at 800 MB held, and block it
    meanwhile; this way the program starts 8 ms later, and nothing waits.)"""
    if _PRCTL is None or not sys.executable or getattr(sys, "frozen", False):
        return command
    return [sys.executable, "-I", "-S", "-c", _LAUNCH, str(os.getpid()), *command]


def _answer(work: Callable[[], Any], writing: int) -> None:
    """In the child: run ``work``, send its outcome, and end the process without returning."""
    status = 0
    try:
        try:
            outcome: tuple[str, Any] = ("ok", work())
        except BaseException as exc:  # every outcome goes back to the parent
            outcome = ("error", _portable(exc))
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(writing, "wb") as pipe:
            pipe.write(data)
    except BaseException:  # nothing could be sent: the parent says so
        status = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed stream: nothing more to say
                stream.flush()
        os._exit(status)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` as it can cross to the parent: its causes (and its problems' causes) as
    text, or, if it would not survive pickling, a ``SendsiteError`` with its words."""
    for problem in [getattr(exc, "problem", None), *getattr(exc, "errors", [])]:
        cause = getattr(problem, "cause", None)
        if cause is not None:
            problem.cause = ChildTraceback(_text(cause))
    behind = exc.__cause__
    if behind is None and not isinstance(exc, SendsiteError | KeyboardInterrupt | SystemExit):
        behind = exc  # a crash: where it happened is worth keeping
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # any exception at all may be raised in the child
        behind, exc = exc, SendsiteError(f"{type(exc).__name__}: {exc}")
    exc.__cause__ = None if behind is None else ChildTraceback(_text(behind))
    return _Carried(exc)


class _Carried(Exception):
    """An exception with its cause: pickling drops ``__cause__``; this puts it back."""

    def __init__(self, exc: BaseException) -> None:
        super().__init__(exc, exc.__cause__)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restored, self.args)


def _restored(exc: BaseException, cause: BaseException | None) -> BaseException:
    exc.__cause__ = cause
    return exc


def _text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)).rstrip()


def _stop(pid: int) -> None:
    """Let the child end (a Ctrl-C reaches it too), then interrupt it, then kill it."""
    for then in (signal.SIGINT, signal.SIGKILL, None):
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return
            except ChildProcessError:
                return
            time.sleep(0.05)
        if then is None:
            return
        try:
            os.kill(pid, then)
        except OSError:
            return


def _wait(pid: int) -> int:
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue
        except ChildProcessError:
            return 0


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"killed by signal {name}" + (", perhaps out of memory" if number == 9 else "")
    return f"exit status {os.waitstatus_to_exitcode(status)}"
