"""The journey map cut into landscape pages for printing: a fixed number of steps per page, so a
150-step journey prints as readable pages instead of one unreadable strip."""

from dataclasses import dataclass

from .models import Step
from .selectors import JourneyMap

# The emotion curve is an inline SVG: each step is COLUMN units wide, emotion −2…+2 spans the height.
COLUMN = 100
HEIGHT = 60


@dataclass
class StageSpan:
    stage_pk: int
    name: str
    columns: int
    continued: bool  # the stage started on an earlier page


@dataclass
class PrintPage:
    number: int
    total: int
    steps: list[Step]
    stages: list[StageSpan]

    @property
    def curve_width(self) -> int:
        return COLUMN * len(self.steps)

    @property
    def curve_points(self) -> list[tuple[int, float, int]]:
        """(x, y, emotion) of each step's point on the curve."""
        return [(COLUMN * i + COLUMN // 2, _y(step.emotion), step.emotion) for i, step in enumerate(self.steps)]

    @property
    def curve_polyline(self) -> str:
        return " ".join(f"{x},{y}" for x, y, _emotion in self.curve_points)

    @property
    def zero_line_y(self) -> str:
        # A string: the template would localise a float ("30,0" in Russian), which SVG does not read.
        return f"{_y(0):g}"


def _y(emotion: int) -> float:
    padding = 8
    return padding + (2 - emotion) * (HEIGHT - 2 * padding) / 4


def print_pages(the_map: JourneyMap, *, per_page: int = 8) -> list[PrintPage]:
    placed = [(column.stage, step) for column in the_map.columns for step in column.steps]
    chunks = [placed[i : i + per_page] for i in range(0, len(placed), per_page)]
    pages = []
    seen_stages: set[int] = set()
    for number, chunk in enumerate(chunks, start=1):
        spans: list[StageSpan] = []
        for stage, _step in chunk:
            if spans and spans[-1].stage_pk == stage.pk:
                spans[-1].columns += 1
            else:
                spans.append(StageSpan(stage.pk, stage.name, columns=1, continued=stage.pk in seen_stages))
                seen_stages.add(stage.pk)
        pages.append(PrintPage(number=number, total=len(chunks), steps=[step for _s, step in chunk], stages=spans))
    return pages
