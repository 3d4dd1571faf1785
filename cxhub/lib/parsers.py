"""The API's request parsers (its own module: DRF's views read DEFAULT_PARSER_CLASSES while importing)."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser


class ObjectJSONParser(JSONParser):
    """JSON bodies must be objects: a body of `null`, a list or a number is a 400 with the reason, not
    something a view trips over."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise exceptions.ParseError(_('The body must be a JSON object, e.g. {"name": "…"}.'))
        return data
