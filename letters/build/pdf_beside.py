"""Lay out one letter's PDFs in a second process, started as its build starts.

A build of one letter spends a good third of its time importing WeasyPrint and reading the
house fonts for it, which loading, checking and composing the letter, and its DOCX, do not
need. On a machine with a core to spare, `beside` forks a process that imports WeasyPrint
meanwhile; the letter's documents are sent to it as soon as they are composed, and it sends
back their PDFs, laid out by the same `render.pdf.render_pdfs` from the same documents and
house style: the same bytes. Where no process can be started, or it fails, the PDFs are laid
out here, as they would be without it, and say here what went wrong.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler
from typing import TYPE_CHECKING

from .workers import can_fork

if TYPE_CHECKING:
    from ..compose.document import Document
    from ..compose.style import HouseStyle
    from ..render.pdf import PdfResult

#: The signals that stop a build: the process beside leaves them to the one that started it.
_STOPS = {signal.SIGINT, signal.SIGTERM}
#: How long a process sent PDFs to lay out is given to end once the pipe is closed: it ends
#: as soon as it reads that, after any layout it is in the middle of (seconds; then killed).
_ENDING = 5.0


class _Beside:
    """The process laying out this build's PDFs, and the end of the pipe to it."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, theirs = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_serve, args=(theirs, self.connection), daemon=True
        )
        # held while it is forked, so that Ctrl-C cannot reach it before it ignores it: it
        # reaches this process once it is forked, as it would have
        held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
        try:
            self.process.start()
        except BaseException:
            self.connection.close()
            theirs.close()
            raise
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        theirs.close()
        self.asked = False

    def send(
        self, documents: Sequence[Document], pages: list[tuple[str, str]], style: HouseStyle
    ) -> bool:
        """Send the process documents to lay out; say whether they could be sent."""
        self.asked = True
        try:
            self.connection.send((list(documents), pages, style))
        except Exception:  # it ended, or what it was to be sent cannot be: laid out here
            return False
        return True

    def receive(self) -> list[PdfResult] | None:
        """Wait for the PDFs last sent for; None if the process could not make them."""
        try:
            results: list[PdfResult] | None = self.connection.recv()
        except Exception:  # it ended
            return None
        return results

    def stop(self) -> None:
        """End the process: at once if it was sent nothing, or as it reads that nothing comes."""
        self.connection.close()
        if not self.asked:  # still importing, or waiting for what will not come
            self.process.kill()
        self.process.join(_ENDING)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


#: The process this build lays its PDFs out in, while `beside` holds it.
_RUNNING: _Beside | None = None


@contextmanager
def beside(wanted: bool) -> Iterator[None]:
    """While within, lay PDFs out in a process of their own, started now, where `wanted`.

    It is started only where forking is safe (`workers.can_fork`): in a process that has
    laid out no page and runs no other thread. It is ended on the way out, whatever happened.
    """
    global _RUNNING
    started = None
    if wanted and _RUNNING is None and can_fork():
        try:
            started = _Beside()
        except OSError:  # no process to be had (fork refused, no pipe): laid out here
            pass
    if started is None:
        yield
        return
    _RUNNING = started
    try:
        yield
    finally:
        _RUNNING = None
        started.stop()


def lay_out_pdfs(documents: Sequence[Document], style: HouseStyle) -> Callable[[], list[PdfResult]]:
    """Start laying out the documents' PDFs (`render.pdf.render_pdfs`); return how to get them.

    With a process beside, they are sent to it now, and laid out while this one goes on;
    without, they are laid out here when asked for. Their pages' HTML and CSS are written
    here, where Jinja is loaded already, so that the process beside, which has not loaded
    it, starts laying out the moment it has WeasyPrint.
    """
    if not documents:
        return list
    from ..render.html import pdf_pages

    pages = pdf_pages(documents, style)
    running = _RUNNING
    sent = running is not None and running.send(documents, pages, style)

    def results() -> list[PdfResult]:
        made = running.receive() if sent and running is not None else None
        if made is None:
            from ..render.pdf import render_pdfs

            made = render_pdfs(documents, style, pages)
        return made

    return results


def _serve(connection: Connection, other_end: Connection) -> None:
    """Import WeasyPrint, then lay out what is sent, until the pipe is closed.

    Ctrl-C and SIGTERM are left to the process that started it, which ends it. Whatever
    fails here is answered with None: the documents are then laid out there, which says why.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)
    other_end.close()  # forked with it open: else the pipe would never be seen closed
    try:
        from ..render import pdf
        from ..render.engine import import_weasyprint

        import_weasyprint()
        pdf.warm_c_types()
    except Exception:  # WeasyPrint cannot start: laying out there says so
        connection.close()
        return
    while True:
        try:
            asked = connection.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            documents, pages, style = ForkingPickler.loads(asked)
            answer = ForkingPickler.dumps(pdf.render_pdfs(documents, style, pages))
        except Exception:
            answer = ForkingPickler.dumps(None)
        try:
            connection.send_bytes(answer)
        except OSError:  # the build ended without them (it failed as they were laid out)
            return
