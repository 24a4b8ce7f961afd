"""The renderers: each turns a `Document` into a file in the house style, deciding nothing else.

They read only the Document and the house style (`letters.compose.style.HouseStyle`), and they
hold the heavy libraries (python-docx, WeasyPrint, fontTools, Pillow), so nothing
outside this package imports them.
"""
