"""cxhub.lib.html.format_html writes what Django's format_html writes."""

from django.utils import html as django_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from cxhub.lib.html import format_html


def test_same_output_as_djangos_format_html():
    cases = [
        ('<a href="{}" title="{}">{}</a>', ("/x?a=1&b=2", 'It\'s "quoted" <b>', mark_safe("<i>safe</i>"))),
        ("<span>{}{}</span>", (42, gettext_lazy("Customer action"))),
        ("{}", ("Оператор — «ответ» & <тег>",)),
    ]
    for template, args in cases:
        assert format_html(template, *args) == django_html.format_html(template, *args)
    assert format_html("<p class={c}>{t}</p>", c="x'y", t="<") == django_html.format_html(
        "<p class={c}>{t}</p>", c="x'y", t="<"
    )
    assert hasattr(format_html("{}", "a"), "__html__")  # safe: not escaped again in a template
