"""Build every letter with an earlier commit's code and with the working tree, and compare bytes.

    .venv/bin/python scripts/compare_outputs.py [--base COMMIT] [--keep DIR]

Builds the examples (data/examples/*.yaml), the default letter (data/lancashire-2020-peel.yaml)
and the real letters (tests/real/*.yaml), in every format, twice with the base's code and once
with the working tree's, and compares each DOCX, PDF and HTML byte for byte. The base's two
builds show what is not reproducible run to run (the project says nothing is): a file that
differs there may differ from the working tree's too and is counted apart. The base is checked
out into a temporary git worktree and built from there, with its own data and templates; each
side runs this virtual environment's Python with only its own folder on the path (the
editable install's finder is left out, so the working tree cannot fill in a module the base
lacks). Exit status 0 when every file the base builds reproducibly is identical.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from base_tree import LEAVE_OUT_EDITABLE, ROOT, checked_out, only_from

DEFAULT_LETTER = "data/lancashire-2020-peel.yaml"
#: What is built, by the folder its outputs go to: paths relative to the tree built from.
GROUPS = {
    "examples": "data/examples/*.yaml",
    "default": DEFAULT_LETTER,
    "real": "tests/real/*.yaml",
}
SUFFIXES = (".docx", ".pdf", ".html")

#: Run the `letters` command importing letters from PYTHONPATH alone, and say from where.
_ONLY_HERE = LEAVE_OUT_EDITABLE + (
    "import letters; print('letters from', letters.__file__, file=sys.stderr); "
    "from letters.cli import main; sys.argv[0] = 'letters'; main()"
)


def inputs(tree: Path, pattern: str) -> list[str]:
    """List the data files a pattern names in a tree, leaving out the real letters' expectations."""
    return sorted(
        path.relative_to(tree).as_posix()
        for path in tree.glob(pattern)
        if not path.name.endswith(".expect.yaml")
    )


def build(tree: Path, out: Path) -> None:
    """Build every group's letters with the code in `tree` into out/<group>/."""
    for group, pattern in GROUPS.items():
        files = inputs(tree, pattern)
        done = subprocess.run(
            [sys.executable, "-c", _ONLY_HERE, "build", *files, "--out", str(out / group)]
            + ["--force"],
            cwd=tree,
            env={**only_from(tree), "PYTHONHASHSEED": "random"},
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        where = next(
            (line for line in done.stderr.splitlines() if line.startswith("letters from")), ""
        )
        if not where.startswith(f"letters from {tree}/letters/"):
            sys.exit(f"{tree}: letters was not imported from this tree ({where or done.stderr})")
        if done.returncode != 0:
            sys.exit(f"{tree}: building {group} failed:\n{done.stdout}{done.stderr}")


def outputs(out: Path) -> dict[str, bytes]:
    """Read every DOCX, PDF and HTML under a folder, by its path inside it."""
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.suffix in SUFFIXES and path.is_file()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD", help="the commit whose code builds the base")
    parser.add_argument("--keep", type=Path, help="write the three builds here, and keep them")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        where = options.keep or Path(tmp)
        with checked_out(options.base, Path(tmp) / "base-tree") as base:
            changed = subprocess.run(
                ["git", "-C", str(ROOT), "diff", "--quiet", options.base, "--", "data", "templates"]
                + ["tests/real"],
                check=False,
            )
            if changed.returncode != 0:
                print(f"note: data, templates or tests/real differ from {options.base}")
            build(base, where / "base-1")
            build(base, where / "base-2")
        build(ROOT, where / "tree")
        first, second, tree = (outputs(where / name) for name in ("base-1", "base-2", "tree"))
    unsteady = {name for name in first if second.get(name) != first[name]}
    same = [name for name in first if tree.get(name) == first[name]]
    differ = sorted(name for name in first if name in tree and tree[name] != first[name])
    missing = sorted(set(first) ^ set(tree))
    by_kind = {
        suffix: sum(name.endswith(suffix) for name in same) for suffix in (".docx", ".pdf", ".html")
    }
    print(
        f"{len(first)} files built from {options.base}, {len(tree)} from the working tree; "
        f"{len(unsteady)} differ between two builds of the base"
    )
    print(
        f"identical: {len(same)} ({by_kind['.docx']} DOCX, {by_kind['.pdf']} PDF, "
        f"{by_kind['.html']} HTML); different: {len(differ)}; in one build only: {len(missing)}"
    )
    for name in differ:
        print(
            f"  differs: {name}{' (the base differs from itself too)' if name in unsteady else ''}"
        )
    for name in missing:
        print(f"  only in {'the base' if name in first else 'the working tree'}: {name}")
    return 0 if not missing and not set(differ) - unsteady else 1


if __name__ == "__main__":
    sys.exit(main())
