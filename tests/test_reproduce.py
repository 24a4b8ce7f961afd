"""An archived record is made again, byte for byte, from the files it embeds alone.

`letters archive --reproduce` renders the record again in an empty folder from its embedded
inputs and compares the bytes; `--public` makes the letter's public copy from them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from conftest import EXAMPLES, copy_of_project, normalise, pdf_pages, run_in

DEFAULT = "lancashire-2020-peel"
#: The record PDFs filing every example and the default letter makes (one per language).
RECORDS = sorted(
    [
        *(example.stem for example in EXAMPLES if "bilingual" not in example.stem),
        *(
            f"{example.stem}.{code}"
            for example in EXAMPLES
            if "bilingual" in example.stem
            for code in ("cy", "en")
        ),
        DEFAULT,
    ]
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """File every example and the default letter, sent as shipped, in a copy of the project."""
    root = copy_of_project(tmp_path_factory.mktemp("project"), drafts=False)
    with pytest.MonkeyPatch.context() as monkeypatch:
        status, out, err = run_in(
            root, monkeypatch, "archive", "data/examples", f"data/{DEFAULT}.yaml"
        )
    assert status == 0, err
    assert out.count("filed ") == len(RECORDS), out
    yield root / "archive"


def _record(archive: Path, name: str) -> Path:
    """Find a filed record by its name, whatever its year."""
    (found,) = archive.glob(f"*/{name}.pdf")
    return found


def _alone(record: Path, folder: Path) -> Path:
    """Copy a record PDF into a folder of its own, holding nothing else; return the copy."""
    folder.mkdir()
    return Path(shutil.copyfile(record, folder / record.name))


@pytest.mark.parametrize("name", RECORDS)
def test_every_record_is_reproduced_byte_for_byte_from_itself_alone(
    archive: Path, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = _alone(_record(archive, name), tmp_path / "alone")
    status, out, err = run_in(record.parent, monkeypatch, "archive", "--reproduce", record.name)
    assert (status, err) == (0, ""), err
    assert out.startswith(f"reproduced {record.name}: byte-identical (from its ")
    assert sorted(path.name for path in record.parent.iterdir()) == [record.name], "nothing else"


def test_the_record_made_again_is_written_with_out(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = _alone(_record(archive, DEFAULT), tmp_path / "alone")
    status, out, _ = run_in(
        record.parent, monkeypatch, "archive", "--reproduce", record.name, "--out", "again"
    )
    assert status == 0
    assert out.splitlines()[0] == f"wrote again/{record.name}"
    assert (record.parent / "again" / record.name).read_bytes() == record.read_bytes()
    status, _, err = run_in(
        record.parent, monkeypatch, "archive", "--reproduce", record.name, "--out", "."
    )
    assert (
        status == 1
        and err == f"error: {record.name} is the record itself; write it somewhere else\n"
    )


def _altered(record: Path, name: str, change: bytes) -> None:
    """Change one file a record PDF embeds, leaving its list of digests as it was."""
    with pikepdf.open(record, allow_overwriting_input=True) as pdf:
        (spec,) = [spec for spec in pdf.Root.AF if str(spec.F) == name]
        spec.EF.F.write(spec.EF.F.read_bytes() + change)
        pdf.save(record)


def test_an_altered_template_fails_naming_it(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = _alone(_record(archive, DEFAULT), tmp_path / "alone")
    _altered(record, "templates/letters/peel.md.j2", b"\nOne more sentence.\n")
    status, out, err = run_in(record.parent, monkeypatch, "archive", "--reproduce", record.name)
    assert (status, out) == (1, "")
    assert err == (
        f"error: {record.name}: templates/letters/peel.md.j2: altered: its SHA-256 differs "
        "from the one letters-record.json lists; it cannot be reproduced\n"
    )


def test_a_record_whose_list_was_altered_with_its_file_differs(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = _alone(_record(archive, DEFAULT), tmp_path / "alone")
    name = "templates/house-style.yaml"
    _altered(record, name, b"\n# altered\n")
    with pikepdf.open(record, allow_overwriting_input=True) as pdf:
        data = {str(spec.F): spec.EF.F.read_bytes() for spec in pdf.Root.AF}
        (spec,) = [spec for spec in pdf.Root.AF if str(spec.F) == "letters-record.json"]
        listed = json.loads(data["letters-record.json"])
        listed["inputs"][name] = hashlib.sha256(data[name]).hexdigest()
        spec.EF.F.write(json.dumps(listed).encode())
        pdf.save(record)
    status, out, err = run_in(record.parent, monkeypatch, "archive", "--reproduce", record.name)
    assert (status, out) == (1, "")
    assert err.startswith(f"error: {record.name}: differs: rendered again from its ")
    assert "not byte-identical to the record" in err and err.count("\n") == 1


def test_a_pdf_that_is_no_record_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "letter.pdf").write_bytes(b"%PDF-1.7\nnot really\n")
    status, _, err = run_in(tmp_path, monkeypatch, "archive", "--reproduce", "letter.pdf")
    assert status == 1 and err.startswith("error: letter.pdf: not a PDF that can be read")


@pytest.mark.parametrize(
    "args",
    [
        ("--reproduce", "x.pdf", "data/x.yaml"),
        ("--reproduce", "x.pdf", "--public", "x.pdf"),
        ("--verify", "--out", "build"),
        ("--public", "x.pdf", "--new-version"),
    ],
)
def test_the_record_options_do_not_mix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    status, _, _ = run_in(tmp_path, monkeypatch, "archive", *args)
    assert status == 2


def _texts(folder: Path, stem: str) -> tuple[str, list[str]]:
    """Read a public copy's HTML (as text) and its PDF's pages."""
    html = (folder / f"{stem}.html").read_text(encoding="utf-8")
    return html, [normalise(page) for page in pdf_pages(folder / f"{stem}.public.pdf")]


def test_the_public_copy_is_made_from_the_record_alone(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = _alone(_record(archive, DEFAULT), tmp_path / "alone")
    status, out, err = run_in(record.parent, monkeypatch, "archive", "--public", record.name)
    assert (status, err) == (0, ""), err
    assert out == f"wrote build/{DEFAULT}.html\nwrote build/{DEFAULT}.public.pdf\n"
    project = archive.parent
    status, _, err = run_in(
        project, monkeypatch, "build", f"data/{DEFAULT}.yaml", "--out", str(tmp_path / "built")
    )
    assert status == 0, err
    assert _texts(record.parent / "build", DEFAULT) == _texts(tmp_path / "built", DEFAULT)


def test_the_public_copy_is_never_written_into_the_archive(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = _record(archive, DEFAULT)
    before = sorted(archive.rglob("*"))
    status, _, err = run_in(
        archive.parent,
        monkeypatch,
        "archive",
        "--public",
        str(record.relative_to(archive.parent)),
        "--out",
        str(record.parent.relative_to(archive.parent)),
    )
    assert status == 1 and "lies in an archive" in err
    assert sorted(archive.rglob("*")) == before


def test_a_difference_names_the_tools_whose_versions_differ() -> None:
    from letters.build.reproduce import Reproduced

    made = Reproduced(Path("r.pdf"), False, 26, None, ("Pango 1.50.12 (here 1.56.3)",))
    assert made.verdict == (
        "r.pdf: differs: rendered again from its 26 embedded inputs, the PDF is not "
        "byte-identical to the record; it was made with Pango 1.50.12 (here 1.56.3)"
    )


def test_a_signed_letters_record_embeds_its_signature_and_is_reproduced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import Image, ImageDraw

    root = copy_of_project(tmp_path / "project")
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(20, 150), (150, 40), (580, 120)], fill=(20, 30, 90, 255), width=6)
    (root / "data" / "offices" / "signatures").mkdir()
    image.save(root / "data" / "offices" / "signatures" / "clive-grunshaw.png")
    office = root / "data" / "offices" / "lancashire-pcc.yaml"
    text = office.read_text(encoding="utf-8")
    office.write_text(
        text.replace(
            "\n  title: ",
            "\n  signature:\n    file: offices/signatures/clive-grunshaw.png\n"
            "    alt: Signature of Clive Grunshaw\n  title: ",
            1,
        ),
        encoding="utf-8",
    )
    letter = f"data/{DEFAULT}.yaml"
    for args in (
        ("approve", letter, "--by", "Clive Grunshaw", "--on", "2020-03-30"),
        ("archive", letter),
    ):
        status, _, err = run_in(root, monkeypatch, *args)
        assert status == 0, err
    record = _alone(_record(root / "archive", DEFAULT), tmp_path / "alone")
    with pikepdf.open(record) as pdf:
        assert "data/offices/signatures/clive-grunshaw.png" in {str(s.F) for s in pdf.Root.AF}
    status, out, err = run_in(record.parent, monkeypatch, "archive", "--reproduce", record.name)
    assert (status, err) == (0, "") and "byte-identical" in out
