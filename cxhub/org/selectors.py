"""Reads of the organisation."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Prefetch, QuerySet

from .models import Department


def department_list() -> QuerySet[Department]:
    """Departments with head, members and their touchpoint count, in three queries whatever the size."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    return (
        Department.objects.select_related("head")
        .prefetch_related(Prefetch("members", queryset=user_model.objects.order_by("last_name", "username")))
        .annotate(touchpoint_count=Count("touchpoints", distinct=True))
        .order_by("name")
    )


def department_ids_of(user: User | AnonymousUser) -> frozenset[int]:
    """Ids of the departments the user heads or belongs to; cached on the user object per request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_cxhub_department_ids", None)
    if cached is None:
        cached = frozenset(Department.objects.of_user(user).values_list("pk", flat=True))
        user._cxhub_department_ids = cached  # type: ignore[attr-defined]  # a per-request cache on the object
    return cached


def departments_of(user: User | AnonymousUser) -> QuerySet[Department]:
    return Department.objects.of_user(user).select_related("head").order_by("name")
