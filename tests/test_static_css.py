"""Pages load Tabler's stylesheet cut to the classes CX Hub uses (static/css/tabler.used.min.css, made by
`make css`): a Tabler class used in a template or in HTML built in Python but missing from the cut would
silently lose its style, so it fails here."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
SELECTOR_CLASS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")


def _classes_in_css(path: Path) -> set[str]:
    css = re.sub(r"\{[^{}]*\}", "{}", path.read_text())  # selectors only, not values like 0.5rem
    return set(SELECTOR_CLASS.findall(css))


def _classes_in_use() -> dict[str, str]:
    used: dict[str, str] = {}
    files = [*ROOT.glob("templates/**/*.html")]
    for package in ("journeys", "barriers", "metrics", "cxhub"):
        files += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    for path in files:
        for attribute in CLASS_ATTRIBUTE.findall(path.read_text()):
            attribute = re.sub(r"\{[{%].*?[%}]\}", " ", attribute)  # template tags: not class names
            for name in attribute.split():
                used.setdefault(name, str(path.relative_to(ROOT)))
    return used


def test_every_tabler_class_in_use_is_in_the_cut_stylesheet():
    tabler = _classes_in_css(ROOT / "static/vendor/tabler/tabler.min.css")
    cut = _classes_in_css(ROOT / "static/css/tabler.used.min.css")
    missing = {name: where for name, where in _classes_in_use().items() if name in tabler and name not in cut}
    assert missing == {}, f"run `make css`: Tabler classes in use but not in the cut stylesheet: {missing}"


def test_the_cut_stylesheet_is_a_fraction_of_tablers():
    cut = (ROOT / "static/css/tabler.used.min.css").stat().st_size
    assert cut < (ROOT / "static/vendor/tabler/tabler.min.css").stat().st_size / 3


def test_no_static_file_points_at_a_source_map_that_is_not_shipped():
    """collectstatic (the manifest storage, DEBUG off: Docker, production) fails on a missing .map."""
    static = Path(__file__).resolve().parent.parent / "static"
    pointing = [
        str(path.relative_to(static))
        for path in static.rglob("*")
        if path.suffix in (".js", ".css")
        and "sourceMappingURL=" in path.read_text(errors="ignore")
        and not (path.parent / path.read_text(errors="ignore").rsplit("sourceMappingURL=", 1)[1].split()[0]).exists()
    ]
    assert pointing == []
