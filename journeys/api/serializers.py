from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cxhub.org.api.serializers import UserBriefSerializer

from ..models import Journey, Persona, Stage, Step, Touchpoint


class TouchpointSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)

    class Meta:
        model = Touchpoint
        fields = [
            "id", "name", "code", "channel", "channel_label", "department", "department_name", "description",
            "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["version", "updated_at"]
        extra_kwargs = {"code": {"required": False}}


class PersonaSerializer(serializers.ModelSerializer):
    photo_url = serializers.SerializerMethodField(help_text="Where the photo is shown (null: none); set on the page.")

    class Meta:
        model = Persona
        fields = [
            "id", "name", "description", "goals", "frustrations", "quote", "is_archived", "photo_url", "version",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["version", "updated_at"]

    def get_photo_url(self, persona: Persona) -> str | None:
        return reverse("journeys:persona_photo", args=[persona.pk]) if persona.photo else None


class StepSerializer(serializers.ModelSerializer):
    """A step; `position` may be given on create (default: last), later changes go through `move`."""

    touchpoint_name = serializers.CharField(source="touchpoint.name", read_only=True, default=None, allow_null=True)
    position = serializers.IntegerField(min_value=0, required=False)

    class Meta:
        model = Step
        fields = [
            "id",
            "stage",
            "position",
            "touchpoint",
            "touchpoint_name",
            "action",
            "expectation",
            "reality",
            "emotion",
            "is_moment_of_truth",
            "notes",
            "version",
            "updated_at",
        ]
        read_only_fields = ["version", "updated_at"]
        extra_kwargs = {"emotion": {"min_value": Step.EMOTION_MIN, "max_value": Step.EMOTION_MAX}}
        validators: list = []  # positions are kept dense by the services, not checked for uniqueness here


class StepMoveSerializer(serializers.Serializer):
    to_stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(), required=False, help_text="Default: the step's own stage."
    )
    to_position = serializers.IntegerField(min_value=0)
    version = serializers.IntegerField(required=False, help_text="Or send If-Match.")


class StageSerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(min_value=0, required=False)

    class Meta:
        model = Stage
        fields = ["id", "journey", "name", "position", "version", "updated_at"]
        read_only_fields = ["version", "updated_at"]
        validators: list = []  # positions are kept dense by the services, not checked for uniqueness here


class StageWithStepsSerializer(StageSerializer):
    steps = StepSerializer(many=True, read_only=True)

    class Meta(StageSerializer.Meta):
        fields = [*StageSerializer.Meta.fields, "steps"]


class StageMoveSerializer(serializers.Serializer):
    to_position = serializers.IntegerField(min_value=0)
    version = serializers.IntegerField(required=False, help_text="Or send If-Match.")


class JourneySerializer(serializers.ModelSerializer):
    """A journey in lists: its own fields and the size of its map."""

    owner = UserBriefSerializer(read_only=True)
    stage_count = serializers.IntegerField(read_only=True)
    step_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Journey
        fields = [
            "id",
            "title",
            "persona",
            "description",
            "state",
            "status",
            "owner",
            "to_be_of",
            "version",
            "stage_count",
            "step_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["to_be_of", "version", "created_at", "updated_at"]


class JourneyDetailSerializer(JourneySerializer):
    """One journey with its whole map: stages in order, each with its steps in order."""

    stages = StageWithStepsSerializer(many=True, read_only=True)

    class Meta(JourneySerializer.Meta):
        fields = [f for f in JourneySerializer.Meta.fields if f not in ("stage_count", "step_count")] + ["stages"]


class JourneyDuplicateSerializer(serializers.Serializer):
    as_to_be = serializers.BooleanField(default=False, help_text="Make the copy the to-be version of this journey.")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class JourneyImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("A JSON export of a journey (format cxhub.journey)."))
