"""Find a letters project on disk: its data, templates and house style."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ProjectError
from .frameworks import Framework, frameworks_of
from .style import HouseStyle, load_style

if TYPE_CHECKING:
    import jinja2

    from .checks import Holders

STYLE_FILE = "house-style.yaml"
HOME_SECRETARIES = "reference/home-secretaries.yaml"


@dataclass(frozen=True)
class Project:
    """A project folder holding data/ and templates/ (with the house style)."""

    root: Path

    @classmethod
    def find(cls, *starts: Path) -> Project:
        """Find the project holding the first of these folders that is in one (default: the working folder).

        A project is the nearest folder, upwards, with templates/house-style.yaml.
        """
        places = [start.resolve() for start in starts] or [Path.cwd().resolve()]
        for here in places:
            for folder in (here, *here.parents):
                if (folder / "templates" / STYLE_FILE).is_file():
                    return cls(folder)
        raise ProjectError(f"no letters project in {places[0]} or above: expected templates/{STYLE_FILE}")

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @cached_property
    def style(self) -> HouseStyle:
        return load_style(self.templates / STYLE_FILE)

    @cached_property
    def environment(self) -> jinja2.Environment:
        from .wording import make_environment  # Jinja and Markdown: not needed to check a letter

        return make_environment(self.templates)

    @property
    def frameworks(self) -> dict[str, Framework]:
        """The report kinds this project knows (data/reference/frameworks.yaml)."""
        return frameworks_of(self.root)

    @cached_property
    def home_secretaries(self) -> Holders | None:
        """The dated list of Home Secretaries under data/reference/, if the project has one."""
        from .checks import load_holders

        path = self.data / HOME_SECRETARIES
        return load_holders(path) if path.is_file() else None

    @cached_property
    def template_files(self) -> list[Path]:
        """Every file under templates/: the wording, the house style and the fonts."""
        return sorted(path for path in self.templates.rglob("*") if path.is_file())

    def template_file(self, relative: str) -> Path:
        """Resolve a file named by the house style or a letter, refusing any outside templates/."""
        path = (self.templates / relative).resolve()
        if not path.is_relative_to(self.templates.resolve()) or not path.is_file():
            raise ProjectError(f"templates/{relative}: no such file inside the templates folder")
        return path

    def letters(self) -> list[Path]:
        """Every letter's data file: data/*.yaml."""
        return sorted(self.data.glob("*.yaml"))
