"""Inputs made to hurt: links out of the project, huge files, FIFOs, damaged images and fonts.

Each is refused as a user sees it: one message naming the file, exit status 1, no
traceback, nothing written, and nothing of a file outside the project echoed. Commands that
could hang or swell run in a child process, killed on a timeout and held to a memory limit.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from conftest import DEFAULT_LETTER, cli, cli_fails, edit_yaml

LETTER = f"data/{DEFAULT_LETTER.name}"
#: Keys of a file outside the project, which no message may repeat.
SECRET_KEYS = ("secret_key_alpha", "secret_key_beta")
SECRET = "".join(f"{key}: do-not-show-{n}\n" for n, key in enumerate(SECRET_KEYS))


@pytest.fixture
def project(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(scratch)
    return scratch


@dataclass(frozen=True)
class Finished:
    """A child process's end: its status, what it wrote, its peak memory and how long it ran."""

    status: int
    stdout: str
    stderr: str
    peak_kib: int
    seconds: float
    killed: bool


#: Starts `letters` and reports its peak memory. A forked child starts with its parent's
#: high-water mark (Linux keeps it across exec), so `letters` is forked from this small
#: process, not from pytest, whose own size would count as the child's.
_LAUNCHER = """
import os, resource, signal, sys
memory, peak, *argv = sys.argv[1:]
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if int(memory):
        resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))
    os.execv(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
with open(peak, "w") as stream:
    stream.write(str(usage.ru_maxrss))
if os.WIFSIGNALED(status):
    signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
    os.kill(os.getpid(), os.WTERMSIG(status))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _run(*args: str, cwd: Path, timeout: float, memory: int = 0) -> Finished:
    """Run `letters` in a child process of its own group, killed whole after `timeout` seconds.

    With `memory`, the child may map at most that many bytes (RLIMIT_AS): a program that
    reads a huge file whole fails rather than taking the machine's memory.
    """
    out, err, peak = cwd / ".stdout", cwd / ".stderr", cwd / ".peak"
    start = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(memory), str(peak), sys.executable]
            + ["-m", "letters.cli", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        os.killpg(child.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        _, status = os.waitpid(child.pid, 0)
    finally:
        timer.cancel()
        if not killed.is_set():
            try:  # what it started (a build's workers) goes with it
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    child.returncode = os.waitstatus_to_exitcode(status)
    return Finished(
        child.returncode,
        out.read_text(encoding="utf-8"),
        err.read_text(encoding="utf-8"),
        int(peak.read_text(encoding="ascii")) if peak.exists() else 0,
        time.monotonic() - start,
        killed.is_set(),
    )


def _outside(tmp_path: Path, name: str, text: str = SECRET) -> Path:
    """Write a file beside the project copy, outside it, and return its path."""
    folder = tmp_path.parent / f"{tmp_path.name}-outside"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- A: links out of the project ------------------------------------------------------------


@pytest.mark.parametrize(
    ("linked", "kind"),
    [
        ("templates/house-style.yaml", "the house style"),
        ("data/reference/frameworks.yaml", "a reference list"),
        ("data/reference/home-secretaries.yaml", "a reference list"),
    ],
    ids=["house style", "frameworks", "home secretaries"],
)
@pytest.mark.parametrize("command", ["check", "build"])
def test_an_input_linked_from_outside_the_project_is_refused_unread(
    project: Path, linked: str, kind: str, command: str
) -> None:
    target = _outside(project, "secret.yaml")
    (project / linked).unlink()
    (project / linked).symlink_to(target)
    args = [command, LETTER] + (["--out", "out"] if command == "build" else [])
    result = cli(*args)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert not Path("out").exists()
    assert result.stderr == (
        f"{linked}: leads through a link to {target}, outside the project; {kind} is read only "
        "from inside the project: copy the file in rather than linking to it\n"
    )
    for secret in (*SECRET_KEYS, "do-not-show"):
        assert secret not in result.output


def test_an_approval_record_linked_from_outside_is_refused_unread(project: Path) -> None:
    shutil.rmtree(project / "approvals")
    approved = cli("approve", LETTER, "--by", "Clive Grunshaw", "--on", "2020-03-30")
    assert approved.exit_code == 0, approved.output
    record = _outside(project, "record.json", '{"inputs": {"secret_key_alpha": "0"}}\n')
    linked = project / "approvals" / "letters" / "data" / "lancashire-2020-peel" / "1.json"
    linked.unlink()
    linked.symlink_to(record)
    message = cli_fails("build", LETTER, "--out", "out")
    assert message == (
        f"approvals/letters/data/lancashire-2020-peel/1.json: leads through a link to {record},"
        " outside the project; an approval record is read only from inside the project: copy"
        " the file in rather than linking to it"
    )
    assert "secret_key_alpha" not in message


@pytest.mark.parametrize("linked", [True, False], ids=["linked", "missing"])
def test_a_snapshot_file_linked_from_outside_or_missing_is_refused_unread(
    project: Path, linked: bool
) -> None:
    shutil.rmtree(project / "approvals")
    approved = cli("approve", LETTER, "--by", "Clive Grunshaw", "--on", "2020-03-30")
    assert approved.exit_code == 0, approved.output
    record = project / "approvals" / "letters" / "data" / "lancashire-2020-peel" / "1.json"
    office = "data/offices/lancashire-pcc.yaml"
    digest = json.loads(record.read_text(encoding="utf-8"))["inputs"][office]
    kept = project / "approvals" / "objects" / digest[:2] / digest[2:]
    kept.unlink()
    if linked:
        kept.symlink_to(_outside(project, "office.yaml", "secret_key_alpha: do-not-show\n"))
    found = (
        "not a plain file of the snapshot store (a link?)"
        if linked
        else "missing from the snapshot store"
    )
    assert cli_fails("build", LETTER, "--out", "out") == (
        f"{LETTER}: error: approvals/objects/{digest[:2]}/{digest[2:]}: {found}; it holds"
        f" {office} of {LETTER} version 1 as approved. Restore approvals/ from a backup (or git)"
    )


def test_a_previous_letter_linked_from_outside_is_refused_unread(project: Path) -> None:
    previous = _outside(project, "previous.yaml")
    assert cli_fails("new", "next", "--from", str(previous)) == (
        f"{previous}: lies outside the project folder {project}; a letter's data is read only "
        "from inside the project: copy the file into it"
    )
    assert not (project / "data" / "next.yaml").exists()


# -- A: a huge file --------------------------------------------------------------------------

#: The most a `letters check` may map (RLIMIT_AS) and keep resident: reading a 1.5 GB file
#: whole takes twice that.
CHECK_MEMORY = 1024 * 1024 * 1024
CHECK_RESIDENT_KIB = 250 * 1024


def test_a_huge_file_included_by_a_template_is_refused_quickly_and_small(project: Path) -> None:
    huge = project / "templates" / "common" / "huge.md.j2"
    with huge.open("wb") as file:
        file.truncate(1_500_000_000)  # sparse: costs no disk
    template = project / "templates" / "letters" / "integrated-peel-2018.md.j2"
    edit_yaml(template, '{% include "common/front.md.j2" %}', '{% include "common/huge.md.j2" %}')
    done = _run("check", LETTER, cwd=project, timeout=120, memory=CHECK_MEMORY)
    assert not done.killed
    assert done.status == 1, done.stderr
    assert done.stderr == (
        "templates/common/huge.md.j2: the file is 1,500,000,000 bytes; a template is at most "
        "800,000 (is this the file you meant?)\n"
    )
    assert done.peak_kib < CHECK_RESIDENT_KIB, done.peak_kib
    assert done.seconds < 60


def test_a_huge_file_linked_in_as_a_template_is_refused_quickly_and_small(project: Path) -> None:
    huge = project / "templates" / "common" / "huge.bin"
    with huge.open("wb") as file:
        file.truncate(1_500_000_000)
    front = project / "templates" / "common" / "front.md.j2"
    front.unlink()
    front.symlink_to(huge)
    done = _run("check", LETTER, cwd=project, timeout=120, memory=CHECK_MEMORY)
    assert not done.killed
    assert done.status == 1, done.stderr
    assert done.stderr == (
        "templates/common/front.md.j2: the file is 1,500,000,000 bytes; a template is at most "
        "800,000 (is this the file you meant?)\n"
    )
    assert done.peak_kib < CHECK_RESIDENT_KIB, done.peak_kib


def test_a_huge_signature_image_is_refused_unread(project: Path) -> None:
    image = _sign(project)
    image.unlink()
    with image.open("wb") as file:
        file.truncate(1_500_000_000)
    done = _run("check", LETTER, cwd=project, timeout=120, memory=CHECK_MEMORY)
    assert not done.killed
    assert done.status == 1, done.stderr
    assert done.stderr == (
        f"data/offices/lancashire-pcc.yaml:{_signature_line(project)}: "
        "office.signatory.signature.file: data/offices/signatures/clive-grunshaw.png: the file "
        "is 1,500,000,000 bytes; a signature image is at most 1,000,000 (is this the file you "
        "meant?)\n"
    )
    assert done.peak_kib < CHECK_RESIDENT_KIB, done.peak_kib


# -- A: FIFOs, folders and other things that are not files ----------------------------------


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda root: _fifo(root / "templates" / "common" / "front.md.j2"),
            "templates/common/front.md.j2: not a regular file; a template is a text file\n",
        ),
        (
            lambda root: _fifo(root / "data" / "reference" / "frameworks.yaml"),
            "data/reference/frameworks.yaml: not a regular file; a reference list is a YAML file\n",
        ),
        (
            lambda root: _fifo(root / "templates" / "house-style.css.j2"),
            "templates/house-style.css.j2: not a regular file; a template is a text file\n",
        ),
    ],
    ids=["template include", "frameworks", "house CSS"],
)
def test_a_fifo_as_an_input_is_refused_without_waiting(
    project: Path, make: Callable[[Path], None], expected: str
) -> None:
    make(project)
    done = _run("build", LETTER, "--out", "out", "--format", "html", cwd=project, timeout=90)
    assert not done.killed, "waited on the FIFO"
    assert done.status == 1
    assert done.stderr.endswith(expected), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert not (project / "out").exists()


def test_a_fifo_as_a_signature_is_refused_without_waiting(project: Path) -> None:
    image = _sign(project)
    _fifo(image)
    done = _run("check", LETTER, cwd=project, timeout=90)
    assert not done.killed, "waited on the FIFO"
    assert done.status == 1
    assert done.stderr == (
        f"data/offices/lancashire-pcc.yaml:{_signature_line(project)}: "
        "office.signatory.signature.file: data/offices/signatures/clive-grunshaw.png: not a "
        "regular file; a signature is a PNG image\n"
    )


def test_a_fifo_beside_the_house_fonts_does_not_stop_a_pdf(project: Path) -> None:
    os.mkfifo(project / "templates" / "fonts" / "waiting.ttf")
    done = _run("build", LETTER, "--out", "out", "--format", "pdf", cwd=project, timeout=120)
    assert not done.killed, "waited on the FIFO among the fonts"
    assert done.status == 0, done.stderr
    assert done.stdout == "wrote out/lancashire-2020-peel.pdf\n"


def test_a_folder_named_as_a_template_is_refused(project: Path) -> None:
    template = project / "templates" / "letters" / "integrated-peel-2018.md.j2"
    edit_yaml(template, '{% include "common/front.md.j2" %}', '{% include "letters" %}')
    assert cli_fails("check", LETTER) == (
        "templates/letters: not a regular file; a template is a text file"
    )


# -- B: damaged signature images -------------------------------------------------------------


def _png() -> bytes:
    """Draw a signature-like line as a PNG."""
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(20, 150), (150, 40), (300, 150), (580, 60)], fill="navy", width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """Split a PNG into its chunks: (kind, data)."""
    chunks, at = [], 8
    while at < len(png):
        size = int.from_bytes(png[at : at + 4], "big")
        chunks.append((png[at + 4 : at + 8], png[at + 8 : at + 8 + size]))
        at += 12 + size
    return chunks


def _joined(chunks: list[tuple[bytes, bytes]], *, bad_crc: bytes = b"") -> bytes:
    """Join chunks into a PNG, each with its right checksum (but `bad_crc`'s)."""
    out = b"\x89PNG\r\n\x1a\n"
    for kind, data in chunks:
        crc = 0 if kind == bad_crc else zlib.crc32(kind + data)
        out += struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
    return out


def _changed(change: Callable[[bytes, bytes], bytes | None]) -> bytes:
    """Rebuild the PNG with each chunk's data changed (None drops the chunk)."""
    kept = []
    for kind, data in _chunks(_png()):
        new = change(kind, data)
        if new is not None:
            kept.append((kind, new))
    return _joined(kept)


DAMAGED = {
    "cut in half": lambda: _png()[: len(_png()) // 2],
    "header alone": lambda: _png()[:33],
    "no end chunk": lambda: _changed(lambda kind, data: None if kind == b"IEND" else data),
    "no image data": lambda: _changed(lambda kind, data: None if kind == b"IDAT" else data),
    "wrong checksum": lambda: _joined(_chunks(_png()), bad_crc=b"IDAT"),
    "garbled pixels": lambda: _changed(
        lambda kind, data: bytes(len(data)) if kind == b"IDAT" else data
    ),
    "pixels cut short": lambda: _changed(
        lambda kind, data: zlib.compress(zlib.decompress(data)[:1000]) if kind == b"IDAT" else data
    ),
    "unknown colour type": lambda: _png()[:25] + b"\x07" + _png()[26:],
}


def _sign(root: Path, image: bytes | None = None) -> Path:
    """Give the office's signatory a signature image; return the image's path."""
    path = root / "data" / "offices" / "signatures" / "clive-grunshaw.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(image if image is not None else _png())
    edit_yaml(
        root / "data" / "offices" / "lancashire-pcc.yaml",
        "  title: Police and Crime Commissioner for Lancashire\n",
        "  title: Police and Crime Commissioner for Lancashire\n"
        "  signature:\n    file: offices/signatures/clive-grunshaw.png\n"
        "    alt: Signature of Clive Grunshaw\n",
    )
    return path


def _signature_line(root: Path) -> str:
    """Return 'line:column' of the signature's file name in the office's file."""
    text = (root / "data" / "offices" / "lancashire-pcc.yaml").read_text(encoding="utf-8")
    line = text.splitlines().index("    file: offices/signatures/clive-grunshaw.png") + 1
    return f"{line}:11"


@pytest.mark.parametrize("damage", list(DAMAGED), ids=list(DAMAGED))
def test_a_damaged_signature_image_is_one_message(project: Path, damage: str) -> None:
    _sign(project, DAMAGED[damage]())
    assert cli_fails("check", LETTER) == (
        f"data/offices/lancashire-pcc.yaml:{_signature_line(project)}: "
        "office.signatory.signature.file: data/offices/signatures/clive-grunshaw.png is a "
        "damaged PNG image (it cannot be read whole); save the signature as PNG again"
    )


@pytest.mark.parametrize("damage", ["pixels cut short", "garbled pixels"])
def test_a_damaged_signature_image_is_found_after_weasyprint_is_loaded(
    project: Path, damage: str
) -> None:
    # WeasyPrint tells Pillow, once for the whole process, to pass an image cut short
    from letters.render.engine import import_weasyprint

    import_weasyprint()
    _sign(project, DAMAGED[damage]())
    assert cli_fails("check", LETTER).endswith(
        "is a damaged PNG image (it cannot be read whole); save the signature as PNG again"
    )


def test_a_damaged_signature_image_stops_the_build_before_anything_is_written(
    project: Path,
) -> None:
    _sign(project, DAMAGED["cut in half"]())
    assert cli_fails("build", LETTER, "--out", "out").endswith(
        "is a damaged PNG image (it cannot be read whole); save the signature as PNG again"
    )


def test_a_sound_signature_image_still_signs(project: Path) -> None:
    _sign(project)
    result = cli("check", LETTER)
    assert result.exit_code == 0, result.output


# -- B: a damaged house font ------------------------------------------------------------------

REGULAR = "templates/fonts/LiberationSans-Regular.ttf"


def _damage_table(path: Path, tag: bytes, how: str) -> None:
    """Damage one table of a font file in place: cut it to a quarter, or garble its bytes."""
    data = bytearray(path.read_bytes())
    tables = int.from_bytes(data[4:6], "big")
    for record in range(12, 12 + 16 * tables, 16):
        if bytes(data[record : record + 4]) != tag:
            continue
        offset = int.from_bytes(data[record + 8 : record + 12], "big")
        length = int.from_bytes(data[record + 12 : record + 16], "big")
        if how == "cut":
            data[record + 12 : record + 16] = (length // 4).to_bytes(4, "big")
        else:  # every byte flipped: an advance width of 0x0400 reads 0xA1A5
            data[offset : offset + length] = bytes(b ^ 0xA5 for b in data[offset : offset + length])
        path.write_bytes(bytes(data))
        return
    raise AssertionError(f"no {tag!r} table in {path}")


@pytest.mark.parametrize(
    ("tag", "how", "expected"),
    [
        (b"hmtx", "cut", "its 'hmtx' table (the glyphs' widths) is unreadable"),
        (b"hmtx", "garble", "its 'hmtx' table (the glyphs' widths) is unreadable"),
        (b"head", "cut", "its 'head' table (its header) is unreadable"),
        (b"glyf", "garble", "the outlines of its glyphs cannot be drawn"),
    ],
    ids=["hmtx cut", "hmtx garbled", "head cut", "glyf garbled"],
)
@pytest.mark.parametrize("formats", [(), ("--format", "pdf")], ids=["every format", "pdf"])
def test_a_damaged_house_font_is_one_message(
    project: Path, tag: bytes, how: str, expected: str, formats: tuple[str, ...]
) -> None:
    _damage_table(project / REGULAR, tag, how)
    result = cli("build", LETTER, "--out", "out", *formats)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert not Path("out").exists()
    assert result.stdout == ""
    assert result.stderr == (
        f"{REGULAR}: a damaged font: {expected}; replace the file with a good copy of the font\n"
    )


def test_a_damaged_house_font_floods_nothing_in_a_child_process(project: Path) -> None:
    # fontTools logs a warning for each glyph whose width it cannot believe: 2,600 lines
    _damage_table(project / REGULAR, b"hmtx", "garble")
    done = _run("build", LETTER, "--out", "out", cwd=project, timeout=180)
    assert not done.killed
    assert done.status == 1
    assert done.stdout == ""
    assert done.stderr == (
        f"{REGULAR}: a damaged font: its 'hmtx' table (the glyphs' widths) is unreadable; "
        "replace the file with a good copy of the font\n"
    )
    assert not (project / "out").exists()


def test_a_house_font_linked_from_outside_is_refused(project: Path) -> None:
    outside = _outside(project, "font.ttf", "")
    outside.write_bytes((project / REGULAR).read_bytes())
    (project / REGULAR).unlink()
    (project / REGULAR).symlink_to(outside)
    # the font folder holds a link out of templates/: refused before anything is rendered
    message = cli_fails("build", LETTER, "--out", "out")
    assert re.fullmatch(
        re.escape(f"{LETTER}: error: {REGULAR} is a link to {outside}, outside templates/; ")
        + "copy the file into templates/ instead",
        message,
    ), message


def test_a_font_folder_made_by_someone_else_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fonts' folder has a name every user knows: one open to others is not used."""
    import tempfile

    from letters.render.fonts import fontconfig_file
    from letters.source.errors import RenderError

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    planted = tmp_path / f"letters-fontconfig-{os.getuid()}"
    planted.mkdir(mode=0o777)
    planted.chmod(0o777)
    with pytest.raises(RenderError, match="is not a folder of this user's alone"):
        fontconfig_file((tmp_path,))
    assert list(planted.iterdir()) == []
