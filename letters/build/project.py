"""Find a letters project on disk: its data, templates and house style."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..source.errors import ProjectError
from ..source.frameworks import Framework, frameworks_of
from ..source.names import hidden

if TYPE_CHECKING:  # the house style (pydantic's models) loads when a command needs it
    import jinja2

    from ..compose.checks import Holders
    from ..compose.style import HouseStyle

STYLE_FILE = "house-style.yaml"
#: The wording guide for comms staff, under templates/: documentation, not an input.
GUIDE = Path("README.md")
#: The publication pages' words (`letters site`), under templates/: no letter's input.
SITE_WORDS = Path("site")
HOME_SECRETARIES = "reference/home-secretaries.yaml"


@dataclass(frozen=True)
class Project:
    """A project folder holding data/ and templates/ (with the house style)."""

    root: Path

    @classmethod
    def find(cls, *starts: Path) -> Project:
        """Find the project holding the first of these folders in one (default: the working folder).

        A project is the nearest folder, upwards, with templates/house-style.yaml.
        """
        places = [start.resolve() for start in starts] or [Path.cwd().resolve()]
        for here in places:
            for folder in (here, *here.parents):
                if (folder / "templates" / STYLE_FILE).is_file():
                    return cls(folder)
        raise ProjectError(
            f"no letters project in {places[0]} or above: expected templates/{STYLE_FILE}"
        )

    @property
    def templates(self) -> Path:
        """Return the templates folder: the wording, the house style and the fonts."""
        return self.root / "templates"

    @property
    def data(self) -> Path:
        """Return the data folder: the letters, the offices and the reference lists."""
        return self.root / "data"

    @cached_property
    def style(self) -> HouseStyle:
        """Return the house style, read once."""
        from ..compose.style import load_style

        return load_style(self.templates / STYLE_FILE, self.root)

    @cached_property
    def environment(self) -> jinja2.Environment:
        """Return the Jinja environment for the letters' wording."""
        from ..compose.wording import (
            make_environment,  # Jinja and Markdown: not needed to check a letter
        )

        return make_environment(self.templates, words_up_to=self.style.numbers.words_up_to)

    @property
    def frameworks(self) -> dict[str, Framework]:
        """Return the report kinds this project knows (data/reference/frameworks.yaml)."""
        return frameworks_of(self.root)

    @cached_property
    def home_secretaries(self) -> Holders | None:
        """Return the dated list of Home Secretaries in data/reference/, if the project has one."""
        from ..compose.checks import load_holders

        path = self.data / HOME_SECRETARIES
        return load_holders(path, self.root) if path.exists() else None

    @property
    def reference_files(self) -> list[Path]:
        """List the reference lists every letter is checked and worded by, that the project has.

        The report kinds (which template words each, and its grades) and the Home Secretaries.
        """
        from ..source.frameworks import FRAMEWORKS_FILE

        return [
            path
            for path in (self.root / FRAMEWORKS_FILE, self.data / HOME_SECRETARIES)
            if path.is_file()
        ]

    @cached_property
    def template_files(self) -> list[Path]:
        """List every file under templates/: the wording, the house style and the fonts.

        The wording guide (README.md) is no input of any letter, nor are the publication
        pages' words (site/), nor is a hidden file (a
        name, or a folder's, starting with a dot: .DS_Store, an editor's swap file), which
        no template may include nor the house style name. A link that leads outside
        templates/ is refused: every input lies in the project.
        """
        root = self.templates.resolve()
        files = sorted(
            path
            for path in self.templates.rglob("*")
            if path.is_file()
            and path.relative_to(self.templates) != GUIDE
            and not path.relative_to(self.templates).is_relative_to(SITE_WORDS)
            and not hidden(path.relative_to(self.templates))
        )
        for path in files:
            if not path.resolve().is_relative_to(root):
                shown = path.relative_to(self.root).as_posix()
                raise ProjectError(
                    f"{shown} is a link to {path.resolve()}, outside templates/; "
                    "copy the file into templates/ instead"
                )
        return files

    def letters(self) -> list[Path]:
        """List every letter's data file: data/*.yaml."""
        return sorted(self.data.glob("*.yaml"))
