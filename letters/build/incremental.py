"""Skip a letter whose outputs are up to date: decided by content digests, not timestamps.

After each build (or an interrupted one), a record under the project's `.letters-cache/`
(one for each output folder) holds for each letter the digest of every file it was made
from (its data, its office's file, signatures, every template, the house style and the
fonts), the build's settings (formats, --strict) and the tool versions, and the digest of
each output written. A later build skips a letter when all of these are the same and its
outputs are still there, unchanged; `--force` builds it anyway.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..source.errors import InputError, RenderError
from ..source.inputs import BUILD_RECORD, read_regular
from ..source.provenance import file_digest, file_digests
from .output import write_all

#: The folder, in the project, of the records of what each output folder holds.
CACHE = ".letters-cache"


class BuildRecord:
    """The record of what one output folder holds, read once for a whole build."""

    def __init__(self, out_dir: Path, root: Path, templates: list[Path]):
        self.out_dir, self.root = out_dir, root.resolve()
        where = file_digest(str(out_dir.resolve()).encode("utf-8"))[:16]
        self.path = self.root / CACHE / f"build-{where}.json"
        self.entries: dict[str, object] = self._read()
        self.templates = {self._name(path) for path in templates}
        self.changed: set[str] = set()  # the letters this build has recorded

    def _read(self) -> dict[str, object]:
        """Read the record as the last build to end left it (nothing, if none or unreadable)."""
        if self._elsewhere():
            return {}
        try:  # a regular file only: a FIFO put in its place would hold the build for ever
            loaded = json.loads(read_regular(self.path, BUILD_RECORD, str(self.path)))
        except (InputError, ValueError, RecursionError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def _name(self, path: Path) -> str:
        """Name a file by its place in the project (or, outside it, by its whole path)."""
        resolved = path.resolve()
        if resolved.is_relative_to(self.root):
            return resolved.relative_to(self.root).as_posix()
        return resolved.as_posix()

    def _digests(self, files: list[str]) -> dict[str, str] | None:
        """Digest files named by their place in the project; None if one is gone."""
        try:
            return file_digests((self.root / name for name in files), self.root)
        except (OSError, InputError):  # gone, or no longer one the letter may be made from
            return None

    def up_to_date(self, data_path: Path, settings: dict[str, object]) -> bool:
        """Say whether a letter's outputs already hold what a build would write now."""
        entry = self.entries.get(self._name(data_path))
        if not isinstance(entry, dict) or entry.get("settings") != settings:
            return False
        inputs = entry.get("inputs")
        outputs = entry.get("outputs")
        if not isinstance(inputs, dict) or not isinstance(outputs, dict):
            return False
        if not self.templates <= set(inputs):  # a template added since
            return False
        if self._digests(sorted(inputs)) != inputs:
            return False
        written = {
            name: file_digest(path.read_bytes())
            for name in outputs
            if (path := self.out_dir / name).is_file()
        }
        return written == outputs

    def record(
        self,
        data_path: Path,
        settings: dict[str, object],
        inputs: list[Path],
        outputs: tuple[Path, ...],
    ) -> None:
        """Note what a letter's build was made from and what it wrote, for `save`."""
        names = sorted({self._name(path) for path in inputs})
        self.changed.add(self._name(data_path))
        self.entries[self._name(data_path)] = {
            "settings": settings,
            "inputs": self._digests(names) or {},
            "outputs": {path.name: file_digest(path.read_bytes()) for path in outputs},
        }

    def save(self) -> None:
        """Write the record for the next build, once at the end of this one (or when stopped).

        A RenderError says it could not be kept: the next build then does all the work.

        What another build into the same folder recorded meanwhile is kept: only the letters
        this one built are written over.
        """
        if not self.changed:
            return
        entries = self._read()
        entries.update({name: self.entries[name] for name in self.changed})
        text = json.dumps(entries, indent=1, sort_keys=True) + "\n"
        if self._elsewhere():
            raise RenderError(
                f"{self.path.parent} is a link; the build record is kept only in the project "
                "(remove the link)"
            )
        try:
            self.path.parent.mkdir(exist_ok=True)
        except OSError as exc:
            raise RenderError(f"cannot make {self.path.parent}: {exc.strerror}") from None
        write_all({self.path: text.encode("utf-8")})

    def _elsewhere(self) -> bool:
        """Say whether the record's folder is, or lies through, a link."""
        folder = self.path.parent
        return os.path.lexists(folder) and folder.resolve() != self.root.resolve() / CACHE
        self.changed = set()
