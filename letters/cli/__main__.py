"""Run the command line as `python -m letters.cli`."""

from . import main

main()
