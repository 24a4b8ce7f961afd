"""Run untrusted template code within a time and memory budget, and bound its operators.

Templates are edited by office staff, so a slip (or worse) must not hang a build or eat the
machine: each render runs in a forked child process with limits on its CPU time and its
memory, and the sandbox refuses arithmetic that would build a huge number, string or list.
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
from collections.abc import Callable
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg

from ..source.errors import LettersError, TemplateError

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
    if kind == "ok":
        return str(text)
    if kind == "error":
        raise TemplateError(text)
    if kind == "memory":
        raise TemplateError(f"{template}: used more than {MEMORY_BYTES // 2**20} MB to render")
    if kind == "recursion":
        raise TemplateError(f"{template}: calls itself too deeply (a macro or include loop?)")
    raise RuntimeError(text)
