"""Writes to the organisation: users' roles and departments."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import transaction

from .models import Department
from .roles import Role


@transaction.atomic
def user_ensure(
    *,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    roles: Iterable[Role] = (),
    initial_password: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create the user or update its profile and roles; the password is set only when the user is new,
    so rerunning never undoes a password the person changed."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username)
    user.first_name = first_name
    user.last_name = last_name
    user.email = email
    user.is_staff = is_staff
    user.is_superuser = is_superuser
    user.is_active = True
    if created:
        if initial_password:
            user.set_password(initial_password)
        else:
            user.set_unusable_password()
    user.save()
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    return user


@transaction.atomic
def department_upsert(
    *,
    slug: str,
    name: str,
    description: str = "",
    head: User | None = None,
    members: Iterable[User] = (),
) -> Department:
    """Create the department with this slug or bring it up to date; the head is always a member too."""
    department = Department.objects.select_for_update().filter(slug=slug).first() or Department(slug=slug)
    department.name = name
    department.description = description
    department.head = head
    department.full_clean()
    department.save()
    everyone = {member.pk for member in members}
    if head is not None:
        everyone.add(head.pk)
    department.members.set(everyone)
    return department
