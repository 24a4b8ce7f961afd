"""Skip a letter whose outputs are up to date: decided by content digests, not timestamps.

After each build, a record under the project's `.letters-cache/` (one for each output
folder) holds for each letter the digest of every
file it was made from (its data, its office's file, signatures, every template, the house
style and the fonts), the build's settings (formats, --strict) and the tool versions, and
the digest of each output written. A later build skips a letter when all of these are the
same and its outputs are still there, unchanged; `--force` builds it anyway.
"""

from __future__ import annotations

import json
from pathlib import Path

from .output import write_all
from .provenance import file_digest, file_digests

#: The folder, in the project, of the records of what each output folder holds.
CACHE = ".letters-cache"


def _manifest(out_dir: Path, root: Path) -> Path:
    """Name the record of one output folder: by a digest of where it is."""
    where = file_digest(str(out_dir.resolve()).encode("utf-8"))[:16]
    return root / CACHE / f"build-{where}.json"


def _read(out_dir: Path, root: Path) -> dict[str, dict[str, object]]:
    """Read the record of what an output folder holds; empty if none or unreadable."""
    try:
        loaded = json.loads(_manifest(out_dir, root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _digests(files: list[str], root: Path) -> dict[str, str] | None:
    """Digest files named by their place in the project; None if one is gone."""
    try:
        return file_digests((root / name for name in files), root)
    except OSError:
        return None


def up_to_date(
    data_path: Path, out_dir: Path, settings: dict[str, object], root: Path, templates: list[Path]
) -> bool:
    """Say whether a letter's outputs already hold what a build would write now."""
    entry = _read(out_dir, root).get(data_path.resolve().relative_to(root).as_posix())
    if not isinstance(entry, dict) or entry.get("settings") != settings:
        return False
    inputs = entry.get("inputs")
    outputs = entry.get("outputs")
    if not isinstance(inputs, dict) or not isinstance(outputs, dict):
        return False
    names = {path.resolve().relative_to(root).as_posix() for path in templates}
    if not names <= set(inputs):  # a template added since
        return False
    now = _digests(sorted(inputs), root)
    if now != inputs:
        return False
    written = {
        name: file_digest(path.read_bytes())
        for name in outputs
        if (path := out_dir / name).is_file()
    }
    return written == outputs


def record(
    data_path: Path,
    out_dir: Path,
    settings: dict[str, object],
    root: Path,
    inputs: list[Path],
    outputs: tuple[Path, ...],
) -> None:
    """Note what a letter's build was made from and what it wrote, for the next build."""
    manifest = _read(out_dir, root)
    names = sorted({path.resolve().relative_to(root).as_posix() for path in inputs})
    manifest[data_path.resolve().relative_to(root).as_posix()] = {
        "settings": settings,
        "inputs": _digests(names, root) or {},
        "outputs": {path.name: file_digest(path.read_bytes()) for path in outputs},
    }
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    path = _manifest(out_dir, root)
    path.parent.mkdir(exist_ok=True)
    write_all({path: text.encode("utf-8")})
