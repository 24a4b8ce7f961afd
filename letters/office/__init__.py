"""The office's workflow over built letters: due dates, new letters, redlines, preview."""
