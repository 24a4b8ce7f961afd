"""Run untrusted template code within a time and memory budget, and bound its operators.

Templates are edited by office staff, so a slip (or worse) must not hang a build or eat the
machine: each render runs in a forked child process with limits on its CPU time and its
memory, and the sandbox refuses arithmetic that would build a huge number, string or list.
The letters' wording is rendered by a child kept for its template environment, one render
after another, each within its own limits (run_served); the house CSS, made once per style,
by a child of its own (run_bounded).
"""

from __future__ import annotations

import gc
import os
import pickle
import resource
import select
import signal
import sys
import time
import weakref
from collections.abc import Callable
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg

from .errors import LettersError, TemplateError

#: The budget of one template render.
CPU_SECONDS = 10
MEMORY_BYTES = 300 * 1024 * 1024
#: The largest number a power may make, and the longest text or list '*' or '+' may make.
MAX_POWER = 10**30
MAX_LENGTH = 100_000


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with '*', '**' and '+' checked before they run.

    Intercepting them also stops Jinja from folding constants such as 9**(9**9) while it
    compiles a template, before any limit could act.
    """

    intercepted_binops = frozenset({"*", "**", "+"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """Refuse a power or a repetition too large for any letter; do the rest as usual."""
        if operator == "**" and _number(left) and _number(right):
            if abs(right) > 256 or (abs(left) > 1 and abs(right) * _digits(left) > 30):
                raise OverflowError(f"{left!r} ** {right!r} is too large a number for a letter")
        elif operator == "*" and (_sized(left) or _sized(right)):
            count, item = (right, left) if _sized(left) else (left, right)
            if _number(count) and abs(count) * len(item) > MAX_LENGTH:
                raise OverflowError(f"repeating a text or list {count!r} times makes it too long")
        elif operator == "+" and _sized(left) and _sized(right):
            if len(left) + len(right) > MAX_LENGTH * 10:
                raise OverflowError("joining these makes a text or list too long")
        return super().call_binop(context, operator, left, right)


def at_render_time(func: Any) -> Any:
    """Wrap a filter or test so that Jinja calls it only while rendering, never while compiling.

    Jinja works out a filter whose arguments are all literals ('ab'|center(2000000000)) as it
    compiles the template, outside any budget; it never does so for a filter that takes the
    render's context, so each one is made to take it.
    """
    kind = _PassArg.from_obj(func)
    if kind is _PassArg.context:
        return func

    @pass_context
    def call(context: Context, *args: Any, **kwargs: Any) -> Any:
        if kind is _PassArg.environment:
            return func(context.environment, *args, **kwargs)
        if kind is _PassArg.eval_context:
            return func(context.eval_ctx, *args, **kwargs)
        return func(*args, **kwargs)

    return call


def _number(value: object) -> bool:
    """Say whether a value is a plain number."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _sized(value: object) -> bool:
    """Say whether a value is a text or a sequence that '*' repeats."""
    return isinstance(value, str | list | tuple)


def _digits(value: Any) -> int:
    """Count a number's digits before the point."""
    return len(str(int(abs(value))))


def run_bounded(render: Callable[[], str], template: str) -> str:
    """Run a template render in a child process within the budget; return its text.

    A LettersError the render raises is raised again here with its message; going over the
    budget is a TemplateError naming the template. Without fork (Windows), it runs here.
    """
    if not hasattr(os, "fork"):
        return render()
    reader, writer = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:  # the child: render, send the outcome, and leave without cleaning up
        os.close(reader)
        _child(render, writer)
    os.close(writer)
    return _outcome(child, reader, template)


def run_served(owner: object, render: Callable[[Any], str], request: Any, template: str) -> str:
    """Run `render(request)` in a child process kept for `owner`, within the budget.

    The same limits as run_bounded, and the same messages, for each render; but the child
    (forked at the first render for `owner`, which holds what `render` needs) stays to do the
    next render too, so a batch of letters pays for a fork once rather than for every
    letter. Its CPU time is bounded by a timer for each render, with the CPU limit as a
    backstop; its memory by an address-space limit set afresh above what it holds before
    each render; its wall-clock time by the caller, which kills it. A child that ran out of
    memory, or was killed, is replaced at the next render. Without fork, it runs here.
    """
    if not hasattr(os, "fork"):
        return render(request)
    server = _SERVERS.get(id(owner))
    if server is None or not server.alive:
        server = _Server(render)
        _SERVERS[id(owner)] = server
        weakref.finalize(owner, _retire, id(owner), server)
    kind, text = server.ask(request, template)
    return _verdict(kind, text, template)


#: The render children kept, by the id of what they render for (a template environment).
_SERVERS: dict[int, _Server] = {}


def _retire(key: int, server: _Server) -> None:
    """Stop a render child whose owner is gone."""
    if _SERVERS.get(key) is server:
        del _SERVERS[key]
    server.close()


class _OverBudget(BaseException):
    """Raised in the render child when a render has used its CPU time.

    Not an Exception: nothing a template's code catches may swallow it.
    """


class _Server:
    """A render child and the two pipes to it: requests in, outcomes out."""

    def __init__(self, render: Callable[[Any], str]):
        requests_out, requests_in = os.pipe()
        replies_out, replies_in = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(requests_in)
            os.close(replies_out)
            for other in _SERVERS.values():  # else they would wait on this one to end
                other.close_pipes()
            _serve(render, requests_out, replies_in)
        os.close(requests_out)
        os.close(replies_in)
        self.requests, self.replies = requests_in, replies_out
        self.alive = True

    def ask(self, request: Any, template: str) -> tuple[str, str]:
        """Send one render and wait for its outcome; stop the child if it overruns."""
        budget = (CPU_SECONDS, MEMORY_BYTES)  # read now: a test may change them
        try:
            _send(self.requests, (request, *budget))
        except OSError:  # the child has gone
            self.close()
            raise TemplateError(f"{template}: rendering stopped; too much memory?") from None
        try:
            outcome = _receive(self.replies, time.monotonic() + budget[0] * 2)
        except TimeoutError:
            self.close(kill=True)
            raise TemplateError(f"{template}: took more than {budget[0] * 2} s to render") from None
        if outcome is None:  # the child ended without an answer: say why; start afresh next
            status = self.close()
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
                raise TemplateError(f"{template}: used more than {budget[0]} s of CPU to render")
            raise TemplateError(
                f"{template}: rendering stopped (status {status}); too much memory?"
            )
        kind, text = outcome
        if kind == "memory":  # its heap may be left in pieces: the next render starts afresh
            self.close()
        return kind, text

    def close(self, kill: bool = False) -> int:
        """Stop the child (killing it, if asked) and return its exit status."""
        if not self.alive:
            return 0
        self.alive = False
        self.close_pipes()  # a waiting child sees the end of its requests and leaves
        if kill:
            os.kill(self.pid, signal.SIGKILL)
        return os.waitpid(self.pid, 0)[1]

    def close_pipes(self) -> None:
        """Close this end of the pipes (in a new child, the copies it inherited)."""
        for fd in (self.requests, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass


def _serve(render: Callable[[Any], str], requests: int, replies: int) -> None:
    """Render requests one after another until the pipe closes, each within its budget."""
    gc.freeze()  # see _child

    def over_budget(_signum: int, _frame: object) -> None:
        raise _OverBudget

    signal.signal(signal.SIGVTALRM, over_budget)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        while True:
            message = _receive(requests, None)
            if message is None:
                break
            request, cpu, memory = message
            _send(replies, _limited(render, request, cpu, memory))
    except BaseException:
        pass
    os._exit(0)


def _limited(render: Callable[[Any], str], request: Any, cpu: int, memory: int) -> tuple[str, str]:
    """Run one render with a CPU timer and an address-space limit; return its outcome."""
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    _, as_hard = resource.getrlimit(resource.RLIMIT_AS)
    used = resource.getrusage(resource.RUSAGE_SELF)
    backstop = int(used.ru_utime + used.ru_stime) + cpu + 1  # should the timer never fire
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (backstop, cpu_hard))
        held = _held()
        if held is not None:
            resource.setrlimit(resource.RLIMIT_AS, (held + memory, as_hard))
        signal.setitimer(signal.ITIMER_VIRTUAL, cpu)
        outcome = ("ok", render(request))
    except LettersError as exc:
        outcome = ("error", str(exc))
    except MemoryError:
        outcome = ("memory", "")
    except RecursionError:
        outcome = ("recursion", "")
    except _OverBudget:
        outcome = ("cpu", "")
    except Exception as exc:  # reported by the parent as an internal fault
        outcome = ("internal", f"{type(exc).__name__}: {exc}")
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        resource.setrlimit(resource.RLIMIT_AS, (as_hard, as_hard))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_hard, cpu_hard))
    return outcome


def _held() -> int | None:
    """Measure this process's address space in bytes (None without /proc)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return None


def _send(fd: int, message: object) -> None:
    """Write one message: its length, then its pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(8, "big") + data)
    while view:
        view = view[os.write(fd, view) :]


def _receive(fd: int, deadline: float | None) -> Any:
    """Read one message; None at the end of the pipe; TimeoutError if the deadline passes."""
    header = _read_exactly(fd, 8, deadline)
    if header is None:
        return None
    body = _read_exactly(fd, int.from_bytes(header, "big"), deadline)
    return None if body is None else pickle.loads(body)


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes | None:
    """Read `size` bytes, waiting until `deadline` at most; None if the pipe ends first."""
    chunks: list[bytes] = []
    while size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _child(render: Callable[[], str], writer: int) -> None:
    """Render within the limits in the child process and send the outcome down the pipe."""
    # The child inherits every object of a parent that may have loaded the renderers: left
    # to itself, its garbage collector would walk them all, copying each page it touches.
    gc.freeze()
    status = 0
    try:
        _limit()
        outcome: tuple[str, str] = ("ok", render())
    except LettersError as exc:
        outcome = ("error", str(exc))
    except MemoryError:
        outcome = ("memory", "")
    except RecursionError:
        outcome = ("recursion", "")
    except BaseException as exc:  # anything else is reported by the parent as an internal fault
        outcome = ("internal", f"{type(exc).__name__}: {exc}")
    try:
        data = pickle.dumps(outcome)
        with os.fdopen(writer, "wb") as stream:
            stream.write(data)
    except BaseException:
        status = 1
    os._exit(status)


def _limit() -> None:
    """Cap this (child) process's CPU time and its memory beyond what it holds already."""
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            held = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # no /proc (macOS): the CPU limit and the sandbox's checks still hold
        return
    resource.setrlimit(resource.RLIMIT_AS, (held + MEMORY_BYTES, held + MEMORY_BYTES))


def _outcome(child: int, reader: int, template: str) -> str:
    """Collect the child's outcome (killing it after the wall-clock budget) and return its text."""
    deadline = time.monotonic() + CPU_SECONDS * 2
    chunks: list[bytes] = []
    with os.fdopen(reader, "rb") as stream:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([stream], [], [], left)[0]:
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
                raise TemplateError(f"{template}: took more than {CPU_SECONDS * 2} s to render")
            chunk = stream.read1(1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    _, status = os.waitpid(child, 0)
    if not chunks:
        signalled = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU
        if signalled:
            raise TemplateError(f"{template}: used more than {CPU_SECONDS} s of CPU to render")
        raise TemplateError(f"{template}: rendering stopped (status {status}); too much memory?")
    kind, text = pickle.loads(b"".join(chunks))
    return _verdict(kind, text, template)


def _verdict(kind: str, text: str, template: str) -> str:
    """Return a render's text, or raise what went wrong as a message naming the template."""
    if kind == "ok":
        return str(text)
    if kind == "error":
        raise TemplateError(text)
    if kind == "memory":
        raise TemplateError(f"{template}: used more than {MEMORY_BYTES // 2**20} MB to render")
    if kind == "recursion":
        raise TemplateError(f"{template}: calls itself too deeply (a macro or include loop?)")
    if kind == "cpu":
        raise TemplateError(f"{template}: used more than {CPU_SECONDS} s of CPU to render")
    raise RuntimeError(text)
