"""The inspection frameworks a letter can answer: their areas and their grade scales."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Framework:
    """An inspection framework: what it grades and on which scale, best grade first."""

    kind: str
    name: str
    area_noun: str
    areas: tuple[str, ...]
    grades: tuple[str, ...]
    #: The law under which the local policing body must publish its comments.
    statute: str = "Police Act 1996"

    def rank(self, grade: str) -> int:
        """Place a grade on the scale: 0 is the best."""
        return self.grades.index(grade)


FRAMEWORKS: dict[str, Framework] = {
    framework.kind: framework
    for framework in (
        Framework(
            kind="integrated-peel-2018",
            name="2018/19 integrated PEEL",
            area_noun="pillar",
            areas=("effectiveness", "efficiency", "legitimacy"),
            grades=("outstanding", "good", "requires improvement", "inadequate"),
        ),
    )
}
