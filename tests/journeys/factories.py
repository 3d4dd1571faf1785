import factory

from journeys.models import Journey, Persona, Stage, Step


class PersonaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Persona

    name = factory.Sequence(lambda n: f"Persona {n}")


class JourneyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Journey

    title = factory.Sequence(lambda n: f"Journey {n}")
    persona = factory.SubFactory(PersonaFactory)


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    journey = factory.SubFactory(JourneyFactory)
    name = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.LazyAttribute(lambda s: s.journey.stages.count())


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    stage = factory.SubFactory(StageFactory)
    position = factory.LazyAttribute(lambda s: s.stage.steps.count())
    action = factory.Sequence(lambda n: f"Customer does thing {n}")
    expectation = "Quick and clear"
    reality = "Slow and confusing"
    emotion = -1
