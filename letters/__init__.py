"""letters: turn structured facts into formal, house-styled letters."""

__version__ = "0.1.0"
