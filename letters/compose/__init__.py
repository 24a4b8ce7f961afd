"""The letter as text: facts, wording, sections, Markdown, checks, style and the Document."""
