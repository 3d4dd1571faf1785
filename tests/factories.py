"""Factories for the domain objects; users get their roles through the same service the app uses."""

import factory
from django.contrib.auth import get_user_model

from cxhub.org.models import Department
from cxhub.org.roles import Role, sync_role_groups
from journeys.models import Channel, Touchpoint

PASSWORD = "s3cret-pass"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **kwargs) -> None:
        if not create or not extracted:
            return
        from django.apps import apps
        from django.contrib.auth.models import Group

        # Groups come from a migration; transactional tests flush them, so make sure they exist.
        if Group.objects.filter(name__in=[r.value for r in extracted]).count() != len(extracted):
            sync_role_groups(apps)
        self.groups.set(Group.objects.filter(name__in=[r.value for r in extracted]))


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.Sequence(lambda n: f"department-{n}")
    head = None

    @factory.post_generation
    def members(self, create: bool, extracted, **kwargs) -> None:
        if create:
            people = list(extracted or [])
            if self.head is not None:
                people.append(self.head)
            self.members.set(people)


class TouchpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Touchpoint

    name = factory.Sequence(lambda n: f"Touchpoint {n}")
    code = factory.Sequence(lambda n: f"touchpoint-{n}")
    channel = Channel.PHONE
    department = factory.SubFactory(DepartmentFactory)
