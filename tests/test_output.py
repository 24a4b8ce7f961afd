"""Writing a letter's files: their names, all or nothing, never over an input or a record."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from letters.build.output import (
    output_names,
    refuse_as_target,
    remove_outputs,
    safe_name,
    write_all,
    write_new,
)
from letters.source.errors import RenderError


def listing(folder: Path) -> dict[str, bytes]:
    """Map each file's name in a folder to its contents (a link to where it leads)."""
    return {
        path.name: (b"-> " + os.readlink(path).encode()) if path.is_symlink() else path.read_bytes()
        for path in sorted(folder.iterdir())
    }


def test_output_names_are_every_format_and_language_of_the_stem() -> None:
    assert output_names("lancashire-2020") == {
        "lancashire-2020.docx",
        "lancashire-2020.pdf",
        "lancashire-2020.html",
        "lancashire-2020.public.pdf",
        "lancashire-2020.en.pdf",
        "lancashire-2020.cy.pdf",
        "lancashire-2020.en.public.pdf",
        "lancashire-2020.cy.public.pdf",
    }


def test_safe_name_gives_the_path_in_the_output_folder(tmp_path: Path) -> None:
    assert safe_name(tmp_path, "a b.public.pdf") == tmp_path.resolve() / "a b.public.pdf"


@pytest.mark.parametrize("name", ["a\x1bb.pdf", "a\nb.pdf", "a\u202eb.pdf", "a\u2028.pdf"])
def test_safe_name_refuses_a_control_or_bidirectional_character(tmp_path: Path, name: str) -> None:
    with pytest.raises(RenderError) as caught:
        safe_name(tmp_path, name)
    assert str(caught.value) == (
        f"the output name {name!r} holds a control or bidirectional character; rename the data file"
    )


def test_safe_name_refuses_a_leading_dot(tmp_path: Path) -> None:
    with pytest.raises(RenderError) as caught:
        safe_name(tmp_path, ".a.pdf.x1y2z3w4.part")
    assert str(caught.value) == (
        "the output name '.a.pdf.x1y2z3w4.part' begins with a dot, so it would be a hidden file; "
        "rename the data file"
    )


@pytest.mark.parametrize("name", ["sub/a.pdf", "sub/../../a.pdf", "/etc/a.pdf", "out.pdf"])
def test_safe_name_refuses_a_name_that_leaves_the_folder(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "out.pdf").symlink_to(tmp_path / "elsewhere.pdf")  # a link leading out
    with pytest.raises(RenderError) as caught:
        safe_name(out, name)
    assert str(caught.value) == f"output name {name!r} would leave the output folder {out}"


def test_write_all_writes_every_file_and_leaves_nothing_staged(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"old pdf")
    write_all({tmp_path / "a.pdf": b"new pdf", tmp_path / "new" / "a.docx": b"new docx"})
    assert listing(tmp_path / "new") == {"a.docx": b"new docx"}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.pdf", "new"]
    assert (tmp_path / "a.pdf").read_bytes() == b"new pdf"
    assert stat.S_IMODE((tmp_path / "a.pdf").stat().st_mode) == 0o644


@pytest.mark.parametrize("failing", [1, 2, 3])
def test_write_all_restores_every_file_when_keeping_one_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    for name in ("a.docx", "a.pdf", "a.html"):
        (tmp_path / name).write_bytes(b"old " + name.encode())
    (tmp_path / "notes.txt").write_bytes(b"mine")
    before = listing(tmp_path)
    calls = {"n": 0}
    real_link = os.link

    def failing_link(src: str | Path, dst: str | Path) -> None:
        calls["n"] += 1
        if calls["n"] == failing:
            raise OSError(13, "Permission denied", str(dst))
        real_link(src, dst)

    monkeypatch.setattr(os, "link", failing_link)
    with pytest.raises(RenderError) as caught:
        write_all({tmp_path / name: b"new" for name in ("a.docx", "a.pdf", "a.html")})
    assert str(caught.value).endswith(": Permission denied; nothing was changed")
    assert listing(tmp_path) == before


def test_write_all_fails_whole_when_staging_a_later_file_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.pdf").write_bytes(b"old pdf")
    before = listing(tmp_path)
    real_fsync = os.fsync
    calls = {"n": 0}

    def full_disk(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(RenderError) as caught:
        write_all({tmp_path / "a.pdf": b"new pdf", tmp_path / "a.docx": b"new docx"})
    assert str(caught.value) == (
        f"cannot write {tmp_path / 'a.pdf'}: No space left on device; nothing was changed"
    )
    assert listing(tmp_path) == before


def test_write_all_never_writes_over_a_read_only_file(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"filed")
    (tmp_path / "a.pdf").chmod(0o444)
    with pytest.raises(RenderError) as caught:
        write_all({tmp_path / "a.docx": b"new docx", tmp_path / "a.pdf": b"new pdf"})
    assert str(caught.value) == (
        f"{tmp_path / 'a.pdf'} is read-only (an archived record?); letters never writes over a "
        "read-only file: write somewhere else"
    )
    assert listing(tmp_path) == {"a.pdf": b"filed"}


def test_write_new_writes_a_read_only_file(tmp_path: Path) -> None:
    write_new(tmp_path / "filed" / "a.pdf", b"%PDF")
    assert listing(tmp_path / "filed") == {"a.pdf": b"%PDF"}
    assert stat.S_IMODE((tmp_path / "filed" / "a.pdf").stat().st_mode) == 0o444
    write_new(tmp_path / "b.json", b"{}", mode=0o600)
    assert stat.S_IMODE((tmp_path / "b.json").stat().st_mode) == 0o600


def test_write_new_never_writes_over_a_file(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"first")
    with pytest.raises(FileExistsError):
        write_new(tmp_path / "a.pdf", b"second")
    assert listing(tmp_path) == {"a.pdf": b"first"}


def test_write_new_never_writes_through_a_dangling_link(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").symlink_to(tmp_path / "nowhere.pdf")
    with pytest.raises(FileExistsError):
        write_new(tmp_path / "a.pdf", b"data")
    assert listing(tmp_path) == {"a.pdf": b"-> " + str(tmp_path / "nowhere.pdf").encode()}


def test_remove_outputs_removes_only_the_letters_own_names(tmp_path: Path) -> None:
    mine = ["a.docx", "a.pdf", "a.html", "a.public.pdf", "a.cy.pdf", "a.en.public.pdf"]
    others = ["a.yaml", "ab.pdf", "a.pdf.bak", "a.de.pdf", "b.pdf", ".a.pdf.123.old"]
    for name in mine + others:
        (tmp_path / name).write_bytes(b"x")
    removed = remove_outputs(tmp_path, "a")
    assert removed == [tmp_path / name for name in sorted(mine)]
    assert sorted(listing(tmp_path)) == sorted(others)


def test_remove_outputs_reads_no_pattern_in_the_name(tmp_path: Path) -> None:
    for name in ("a*.pdf", "ab.pdf", "[ab].pdf", "a.pdf"):
        (tmp_path / name).write_bytes(b"x")
    assert remove_outputs(tmp_path, "a*") == [tmp_path / "a*.pdf"]
    assert remove_outputs(tmp_path, "[ab]") == [tmp_path / "[ab].pdf"]
    assert sorted(listing(tmp_path)) == ["a.pdf", "ab.pdf"]


def test_remove_outputs_removes_nothing_through_a_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.pdf").write_bytes(b"someone else's")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.docx").symlink_to(elsewhere / "a.pdf")
    (tmp_path / "linked").symlink_to(elsewhere)
    assert remove_outputs(out, "a") == []
    assert remove_outputs(tmp_path / "linked", "a") == []
    assert listing(elsewhere) == {"a.pdf": b"someone else's"}
    assert sorted(listing(out)) == ["a.docx"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Make a project folder with inputs, an archive and an approval record."""
    root = tmp_path / "project"
    for folder in ("data", "templates", ".git", "archive", "build"):
        (root / folder).mkdir(parents=True)
    (root / "archive" / "manifest.jsonl").write_text("", encoding="utf-8")
    (root / "data" / "a.approval.json").write_text("{}", encoding="utf-8")
    return root


def test_refuse_as_target_gives_the_place_where_it_may_write(project: Path) -> None:
    target = project / "build" / "findings.CSV"
    assert refuse_as_target(target, project, (".csv",)) == target
    assert refuse_as_target(project / "build", project) == project / "build"
    assert refuse_as_target(project / "archive", project, archive=True) == project / "archive"


@pytest.mark.parametrize("folder", ["data", "templates", ".git"])
def test_refuse_as_target_refuses_the_input_folders(project: Path, folder: str) -> None:
    for target in (project / folder / "x.csv", project / folder / "sub" / ".." / "x.csv"):
        with pytest.raises(RenderError) as caught:
            refuse_as_target(target, project, (".csv",))
        assert str(caught.value) == (
            f"{target} lies in the project's {folder}/ folder, which holds the letters' inputs; "
            "write it somewhere else (build/, for example)"
        )


def test_refuse_as_target_refuses_an_archive_folder(project: Path) -> None:
    for target, suffixes in ((project / "archive" / "x.csv", (".csv",)), (project / "archive", ())):
        with pytest.raises(RenderError) as caught:
            refuse_as_target(target, project, suffixes)
        assert str(caught.value) == (
            f"{target} lies in an archive (its folder holds manifest.jsonl); write it "
            "somewhere else"
        )


@pytest.mark.parametrize("name", ["a.approval.json", "manifest.jsonl", ".lock", ".filing.json"])
def test_refuse_as_target_refuses_a_record(tmp_path: Path, name: str) -> None:
    target = tmp_path / "elsewhere" / name
    with pytest.raises(RenderError) as caught:
        refuse_as_target(target, tmp_path / "project", (".json", ".jsonl", ".lock"))
    assert str(caught.value) == f"{target} is a record of letters'; write it somewhere else"


def test_refuse_as_target_refuses_a_link(project: Path, tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_text("", encoding="utf-8")
    link = project / "build" / "x.csv"
    link.symlink_to(tmp_path / "real.csv")
    dangling = project / "build" / "y.csv"
    dangling.symlink_to(project / "data" / "new.csv")
    for target in (link, dangling):
        with pytest.raises(RenderError) as caught:
            refuse_as_target(target, project, (".csv",))
        assert str(caught.value) == f"{target} is a link; give the file or folder itself"


def test_refuse_as_target_refuses_a_project_folder_that_leads_out(
    project: Path, tmp_path: Path
) -> None:
    (tmp_path / "outside").mkdir()
    (project / "out").symlink_to(tmp_path / "outside")
    target = project / "out" / "x.csv"
    with pytest.raises(RenderError) as caught:
        refuse_as_target(target, project, (".csv",))
    assert str(caught.value) == (
        f"{target} lies in the project, but a link on the way leads outside it (to "
        f"{tmp_path / 'outside' / 'x.csv'}); write to a folder of the project's own, or name the "
        "outside folder itself"
    )
    # the outside folder named as itself is not refused
    assert refuse_as_target(tmp_path / "outside" / "x.csv", project, (".csv",)) == (
        tmp_path / "outside" / "x.csv"
    )


def test_refuse_as_target_refuses_the_wrong_suffix(project: Path) -> None:
    target = project / "build" / "notes.txt"
    with pytest.raises(RenderError) as caught:
        refuse_as_target(target, project, (".csv", ".json"))
    assert str(caught.value) == f"{target}: give a file name ending .csv or .json"
