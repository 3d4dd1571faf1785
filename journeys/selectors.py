"""Reads of journeys and the touchpoint catalogue."""

from django.db.models import Q, QuerySet

from .models import Touchpoint


def touchpoint_list(*, query: str = "", channel: str = "", department_id: int | None = None) -> QuerySet[Touchpoint]:
    """The catalogue, filtered; the department is joined because every row shows it."""
    qs = Touchpoint.objects.select_related("department").order_by("name")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(code__icontains=query) | Q(description__icontains=query))
    if channel:
        qs = qs.filter(channel=channel)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return qs
