"""Review a DOCX in LibreOffice with track changes on, to make test fixtures of reviewed letters.

    /usr/bin/python3 scripts/review_in_libreoffice.py IN.docx EDITS.json OUT.docx

This stands in for a reviewer who opens one of our DOCX letters in LibreOffice Writer, turns on
Edit > Track Changes > Record, edits the text, adds comments and replies, and saves as Word
2007-365 (.docx). The edits are made through LibreOffice's own API (UNO) as real text edits, so
LibreOffice records them and writes its own w:ins / w:del / comments, exactly as a reviewer's
file would carry them; what comes out is a fixture for the code that reads a review back.

It needs LibreOffice (soffice) and its Python bridge, the Debian package python3-uno, which
installs the module uno for the system Python (/usr/bin/python3), not for the project's
virtual environment: run it with /usr/bin/python3.

EDITS.json is a list of edits, or an object {"author": ..., "date": ..., "edits": [...]}:

    {"replace": "old text", "with": "new text"}    tracked deletion of the first occurrence
                                                   and tracked insertion after it
    {"insert_after": "anchor text", "text": "..."}  tracked insertion after the first occurrence
    {"delete": "text"}                              tracked deletion of the first occurrence
    {"new_paragraph_after": "anchor text", "text": "..."}
                                                   a tracked new paragraph after the paragraph
                                                   that holds the anchor
    {"comment_on": "text", "author": "...", "text": "...",
     "reply": {"author": "...", "text": "..."}}     a comment on the first occurrence of the
                                                   text (not itself tracked), with an optional
                                                   reply: LibreOffice 7.4's API cannot link a
                                                   reply to its comment, so the reply is a
                                                   second comment on the same text

Texts are found paragraph by paragraph (first occurrence in the document, tables included;
case-sensitive; within one paragraph; deleted text still counts, as it is still there). Any
edit may carry "author": the name tracked changes are recorded under (LibreOffice takes it from
the user profile's name, which this sets before each edit); by default it is the top-level
"author", else --author. An edit whose text is not found stops the run with an error.

LibreOffice stamps tracked changes with the clock's time and offers no API to set it. A fixed
date (top-level "date" or --date, e.g. 2024-01-02T09:00:00Z) is therefore given to
comments through their DateTimeValue, and to tracked changes by running soffice under
faketime (Debian package faketime) when that is installed: LibreOffice starts with the clock
set to that date, and the clock runs on from there, so the changes' times are that date plus
the few seconds the run takes. Without faketime the date applies to comments only.

soffice runs headless on a private user profile (in a temporary directory, as is the copy of
IN.docx it opens) and a private pipe, and is stopped at the end, killed if need be, whether or
not the run succeeded. The document is loaded without a view (see open_document).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_AUTHOR = "LibreOffice Reviewer"
CONNECT_TIMEOUT = 60.0


def load_edits(path: Path) -> tuple[list[dict[str, Any]], str | None, str | None]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, list):
        return data, None, None
    return list(data["edits"]), data.get("author"), data.get("date")


def start_soffice(workdir: Path, date: datetime | None) -> tuple[subprocess.Popen[bytes], str]:
    profile = (workdir / "profile").as_uri()
    pipe = f"review_in_libreoffice_{os.getpid()}"
    command = [
        "soffice",
        f"-env:UserInstallation={profile}",
        "--headless",
        "--invisible",
        "--nologo",
        "--norestore",
        "--nodefault",
        "--nolockcheck",
        f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
    ]
    if date is not None and shutil.which("faketime"):
        command = ["faketime", "-f", date.strftime("@%Y-%m-%d %H:%M:%S"), *command]
    env = dict(os.environ, TZ="UTC")
    process = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return process, pipe


def stop_soffice(process: subprocess.Popen[bytes], pipe: str, ctx: Any) -> None:
    if ctx is not None:
        with contextlib.suppress(Exception):
            desktop = ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", ctx
            )
            desktop.terminate()
            process.wait(timeout=10)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=10)
            break
        except subprocess.TimeoutExpired:
            continue
    # soffice killed leaves its pipe's socket behind.
    Path(f"/tmp/OSL_PIPE_{os.getuid()}_{pipe}").unlink(missing_ok=True)


def connect(pipe: str, process: subprocess.Popen[bytes]) -> Any:
    import uno
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + CONNECT_TIMEOUT
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if process.poll() is not None:
                raise RuntimeError(f"soffice exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError("soffice did not accept a connection in time") from None
            time.sleep(0.25)


def props(**values: Any) -> tuple[Any, ...]:
    from com.sun.star.beans import PropertyValue

    return tuple(PropertyValue(Name=name, Value=value) for name, value in values.items())


def set_author(ctx: Any, author: str) -> None:
    provider = ctx.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", ctx
    )
    access = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess",
        props(nodepath="/org.openoffice.UserProfile/Data"),
    )
    given, _, family = author.partition(" ")
    access.setPropertyValue("givenname", given)
    access.setPropertyValue("sn", family)
    access.setPropertyValue("initials", "".join(part[:1] for part in author.split()))
    access.commitChanges()


def paragraphs(text: Any) -> Iterator[Any]:
    elements = text.createEnumeration()
    while elements.hasMoreElements():
        element = elements.nextElement()
        if element.supportsService("com.sun.star.text.TextTable"):
            for name in element.getCellNames():
                yield from paragraphs(element.getCellByName(name))
        elif element.supportsService("com.sun.star.text.Paragraph"):
            yield element


def find(doc: Any, needle: str) -> Any:
    # The document has no view (see open_document), and without one LibreOffice's own
    # search (findFirst) finds nothing: look paragraph by paragraph and select with a cursor.
    for paragraph in paragraphs(doc.getText()):
        start = paragraph.getString().find(needle)
        if start >= 0:
            cursor = paragraph.getText().createTextCursorByRange(paragraph.getStart())
            cursor.goRight(start, False)
            cursor.goRight(len(needle), True)
            return cursor
    raise LookupError(f"text not found in the document: {needle!r}")


def open_document(ctx: Any, path: Path) -> Any:
    # Loaded into a bare model, without a frame or view: with a view, inserting a comment makes
    # LibreOffice build the comment's sidebar window from .ui files that the headless packages
    # (libreoffice-writer-nogui) lack, and soffice aborts (7.4).
    doc = ctx.ServiceManager.createInstanceWithContext("com.sun.star.text.TextDocument", ctx)
    doc.load(props(URL=path.as_uri(), FilterName="MS Word 2007 XML"))
    return doc


def uno_date(date: datetime) -> Any:
    from com.sun.star.util import DateTime

    return DateTime(
        NanoSeconds=0,
        Seconds=date.second,
        Minutes=date.minute,
        Hours=date.hour,
        Day=date.day,
        Month=date.month,
        Year=date.year,
        IsUTC=True,
    )


def add_comment(doc: Any, found: Any, author: str, text: str, date: datetime | None) -> None:
    annotation = doc.createInstance("com.sun.star.text.textfield.Annotation")
    annotation.Author = author
    annotation.Initials = "".join(part[:1] for part in author.split())
    annotation.Content = text
    # Unset, LibreOffice writes w:date="0-00-00T00:00:00Z"; its Insert Comment sets now.
    annotation.DateTimeValue = uno_date(date or datetime.now(UTC))
    # Reading the annotation's Name once it is inserted crashes LibreOffice 7.4: don't.
    found.getText().insertTextContent(found, annotation, True)


def apply_edit(ctx: Any, doc: Any, edit: dict[str, Any], author: str, date: Any) -> None:
    from com.sun.star.text.ControlCharacter import PARAGRAPH_BREAK

    set_author(ctx, edit.get("author", author) if "comment_on" not in edit else author)
    if "replace" in edit:
        # As typing over a selection: LibreOffice records a deletion and an insertion.
        find(doc, edit["replace"]).setString(edit["with"])
    elif "insert_after" in edit:
        found = find(doc, edit["insert_after"])
        found.getText().insertString(found.getEnd(), edit["text"], False)
    elif "delete" in edit:
        find(doc, edit["delete"]).setString("")
    elif "new_paragraph_after" in edit:
        found = find(doc, edit["new_paragraph_after"])
        text = found.getText()
        cursor = text.createTextCursorByRange(found.getEnd())
        cursor.gotoEndOfParagraph(False)
        text.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
        text.insertString(cursor, edit["text"], False)
    elif "comment_on" in edit:
        # Comments are not tracked changes; recorded, the comment's anchor character would be
        # written as an insertion (an empty run in a w:ins).
        doc.RecordChanges = False
        found = find(doc, edit["comment_on"])
        same = found.getText().createTextCursorByRange(found)
        add_comment(doc, found, edit.get("author", author), edit["text"], date)
        if "reply" in edit:
            # LibreOffice 7.4's API cannot mark a comment as a reply to another (its
            # annotations have no ParentName yet): a reply is a second comment on the same text.
            reply = edit["reply"]
            add_comment(doc, same, reply["author"], reply["text"], date)
        doc.RecordChanges = True
    else:
        raise ValueError(f"unknown edit: {edit!r}")


def review(source: Path, edits_path: Path, target: Path, author: str | None, date: Any) -> None:
    edits, file_author, file_date = load_edits(edits_path)
    author = author or file_author or DEFAULT_AUTHOR
    when = date or file_date
    fixed = datetime.fromisoformat(when.replace("Z", "+00:00")).astimezone(UTC) if when else None
    with tempfile.TemporaryDirectory(prefix="review_in_libreoffice_") as tmp:
        process, pipe = start_soffice(Path(tmp), fixed)
        ctx = None
        try:
            ctx = connect(pipe, process)
            set_author(ctx, author)
            # A copy, so that a crash leaves no lock file (.~lock.IN.docx#) beside the input:
            # LibreOffice would refuse to open a locked file next time.
            copy = Path(tmp) / source.name
            shutil.copyfile(source, copy)
            doc = open_document(ctx, copy)
            try:
                doc.RecordChanges = True
                for edit in edits:
                    apply_edit(ctx, doc, edit, author, fixed)
                doc.storeToURL(
                    target.resolve().as_uri(),
                    props(FilterName="MS Word 2007 XML", Overwrite=True),
                )
            finally:
                with contextlib.suppress(Exception):
                    doc.close(True)
        finally:
            stop_soffice(process, pipe, ctx)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, metavar="IN.docx")
    parser.add_argument("edits", type=Path, metavar="EDITS.json")
    parser.add_argument("target", type=Path, metavar="OUT.docx")
    parser.add_argument("--author", help=f"name changes are recorded under ({DEFAULT_AUTHOR})")
    parser.add_argument("--date", help="fixed date, e.g. 2024-01-02T09:00:00Z (see above)")
    args = parser.parse_args(argv)
    try:
        import uno  # noqa: F401
    except ImportError:
        parser.error("no module uno: install python3-uno and run with /usr/bin/python3")
    review(args.source, args.edits, args.target, args.author, args.date)
    return 0


if __name__ == "__main__":
    sys.exit(main())
