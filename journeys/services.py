"""Writes to journeys and the touchpoint catalogue."""

from django.db import transaction

from cxhub.org.models import Department

from .models import Channel, Touchpoint


@transaction.atomic
def touchpoint_upsert(
    *, code: str, name: str, channel: Channel, department: Department, description: str = ""
) -> Touchpoint:
    """Create the touchpoint with this code, or bring an existing one up to date."""
    touchpoint = Touchpoint.objects.select_for_update().filter(code=code).first() or Touchpoint(code=code)
    touchpoint.name = name
    touchpoint.channel = channel
    touchpoint.department = department
    touchpoint.description = description
    touchpoint.full_clean()
    touchpoint.save()
    return touchpoint
