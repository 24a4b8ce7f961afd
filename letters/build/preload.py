"""The renderers, imported once by the forkserver that starts build workers, before it forks them.

(A `letters build` command forks its workers itself, having loaded no renderer: see
`workers.worker_pool`. A program that has rendered already gets them from the forkserver.)

Importing WeasyPrint opens Pango, fontconfig and HarfBuzz and parses their C declarations
(about a third of a second), but starts no thread and initialises no font configuration:
fontconfig and Pango's font map are first used in a worker, after the fork, by
`render.pdf.render_pdfs`. So the forkserver that imports this module stays a single-threaded
process that has never rendered anything, and every worker forked from it starts with the
renderers loaded (and the C types WeasyPrint asks for as it lays out parsed) instead of
importing them again.
"""

from ..render import docx, html, pdf  # noqa: F401
from ..render.engine import import_weasyprint
from . import build  # noqa: F401

import_weasyprint()
pdf.warm_c_types()
