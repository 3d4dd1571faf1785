"""Every page a person works in, as each role, in English and Russian, at 1440×900, 1280×800 and 390×844:
no text is clipped (an element that hides its overflow or ends in an ellipsis, a badge, a button or a
drop-down whose text is wider than its box) and the page never scrolls sideways outside its deliberate
scroll areas (the map, wide tables)."""

import pytest
from django.apps import apps
from django.core.management import call_command

from barriers.models import Barrier, ResearchStudy
from cxhub.org.models import Department
from cxhub.org.roles import sync_role_groups
from journeys.models import Journey, Touchpoint

from .conftest import log_in

pytestmark = [pytest.mark.django_db(transaction=True)]

SIZES = [(1440, 900), (1280, 800), (390, 844)]

# What is wrong on the page, as text: one line per problem (empty: nothing).
FIND_PROBLEMS = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    problems.push(`the page scrolls sideways: ${root.scrollWidth} px wide in ${root.clientWidth} px`);
  }
  const scrollAreas = '.jmap-scroll, .table-responsive, .dash-scroll, pre, textarea';
  const skip = '.visually-hidden, .visually-hidden-focusable, .cell-under, svg, .js-plotly-plot, [hidden], script, style';
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ');
    return `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).slice(0, 3).join('.') : ''} "${text.slice(0, 60)}"`;
  };
  const canvas = document.createElement('canvas').getContext('2d');
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest(skip) || el.matches(scrollAreas)) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || !el.getClientRects().length) continue;
    if (el.tagName === 'SELECT') {
      const option = el.options[el.selectedIndex];
      // A drop-down as wide as its column cannot be wider; its open list shows the whole option.
      const column = el.parentElement, columnStyle = getComputedStyle(column);
      const columnWidth = column.clientWidth - parseFloat(columnStyle.paddingLeft) - parseFloat(columnStyle.paddingRight);
      if (!option || el.offsetWidth >= columnWidth - 2) continue;
      canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (canvas.measureText(option.text).width > room + 1) problems.push(`drop-down cuts its text: ${describe(el)} "${option.text}"`);
      continue;
    }
    // Deliberate truncation (a chip on the map) keeps the whole text in its title.
    const titled = el.closest('[title]');
    if (titled && titled.title.includes((el.innerText || '').trim())) continue;
    const hides = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
    const tight = el.matches('.badge, .btn, .nav-link, .page-title, .page-pretitle *, th, label');
    if ((hides || tight) && el.scrollWidth > el.clientWidth + 1 && (el.innerText || '').trim()) {
      problems.push(`text clipped: ${describe(el)} (${el.scrollWidth} > ${el.clientWidth})`);
    }
  }
  return [...new Set(problems)];
}"""


def pages_of(role: str) -> list[str]:
    as_is = Journey.objects.filter(state=Journey.State.AS_IS, to_be_versions__isnull=False).first()
    journey = as_is or Journey.objects.order_by("pk").first()
    to_be = Journey.objects.filter(state=Journey.State.TO_BE).first()
    barrier = Barrier.objects.order_by("pk").first()
    touchpoint = Touchpoint.objects.filter(service_target__isnull=False).order_by("pk").first()
    department = Department.objects.filter(touchpoints=touchpoint).first()
    study = ResearchStudy.objects.order_by("pk").first()
    head_barrier = Barrier.objects.filter(department__slug="contact-centre").order_by("pk").first()
    if role == "cxlead":
        return [
            "/journeys/",
            f"/journeys/{journey.pk}/",
            f"/journeys/{journey.pk}/history/",
            f"/journeys/{to_be.pk}/compare/",
            "/journeys/import/",
            "/journeys/touchpoints/",
            "/barriers/",
            "/barriers/?view=kanban",
            f"/barriers/{barrier.pk}/",
            f"/barriers/new/?step={journey.stages.first().steps.first().pk}",
            "/barriers/studies/",
            f"/barriers/studies/{study.pk}/",
            "/data/",
            "/data/targets/",
            f"/dashboard/touchpoints/{touchpoint.pk}/",
            "/organisation/",
            "/dashboard/",
            f"/dashboard/departments/{department.pk}/",
            "/dashboard/observed/",
        ]
    if role == "executive":
        return ["/dashboard/", f"/journeys/{journey.pk}/"]
    return ["/barriers/mine/", f"/barriers/{head_barrier.pk}/", "/dashboard/department/"]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_no_page_clips_its_text_or_scrolls_sideways(new_page, settings, language):
    sync_role_groups(apps)  # the groups come from a migration, and transactional tests flush them
    settings.DEBUG = True  # load_demo refuses otherwise (demo passwords)
    call_command("load_demo", "--small", "--language", language, verbosity=0)
    settings.DEBUG = False
    problems: list[str] = []
    for width, height in SIZES:
        for role in ("cxlead", "executive", "head-contact-centre"):
            page = new_page(viewport={"width": width, "height": height})
            log_in(page, role, "demo")
            if language == "ru":
                page.get_by_test_id("lang-ru").click()
                page.wait_for_load_state("load")
            for path in ["/", *pages_of(role)]:
                page.goto(path)
                page.wait_for_load_state("networkidle")
                problems += [f"{width}px {language} {role} {path}: {problem}" for problem in page.evaluate(FIND_PROBLEMS)]
            page.context.close()
    assert problems == [], "\n" + "\n".join(problems)
