from rest_framework import serializers

from cxhub.org.api.serializers import UserBriefSerializer
from journeys.models import Step, Touchpoint

from ..models import Barrier, Comment, Evidence, ResearchStudy
from ..workflow import TRANSITIONS


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "kind", "text", "source", "study", "created_at"]
        read_only_fields = ["study", "created_at"]


class BarrierSerializer(serializers.ModelSerializer):
    steps = serializers.PrimaryKeyRelatedField(many=True, queryset=Step.objects.all(), required=False)
    touchpoints = serializers.PrimaryKeyRelatedField(many=True, queryset=Touchpoint.objects.all(), required=False)
    created_by = UserBriefSerializer(read_only=True)
    is_overdue = serializers.BooleanField(source="is_past_due", read_only=True)
    allowed_actions = serializers.SerializerMethodField(help_text="Transitions the caller may make now.")
    evidence = EvidenceSerializer(many=True, required=False, help_text="On create only: quotes and observations.")

    class Meta:
        model = Barrier
        fields = [
            "id",
            "title",
            "description",
            "type",
            "severity",
            "customers_affected",
            "steps",
            "touchpoints",
            "study",
            "source",
            "department",
            "due_date",
            "status",
            "resolution_plan",
            "resolution_note",
            "rejection_reason",
            "reopen_reason",
            "evidence",
            "created_by",
            "created_at",
            "updated_at",
            "version",
            "is_overdue",
            "allowed_actions",
        ]
        read_only_fields = [
            "status",
            "resolution_note",
            "rejection_reason",
            "reopen_reason",
            "created_at",
            "updated_at",
            "version",
        ]
        extra_kwargs = {"source": {"required": False}, "department": {"required": False}}

    def get_allowed_actions(self, barrier: Barrier) -> list[str]:
        from ..permissions import allowed_transitions

        request = self.context.get("request")
        return [t.action for t in allowed_transitions(request.user, barrier)] if request else []


class TransitionRequestSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(TRANSITIONS))
    text = serializers.CharField(
        required=False, allow_blank=True, help_text="Reason (reject, reopen) or note (resolve)."
    )
    version = serializers.IntegerField(required=False, help_text="Or send If-Match.")


class CommentSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = ["created_at"]


class ResearchStudySerializer(serializers.ModelSerializer):
    class Meta:
        model = ResearchStudy
        fields = ["id", "title", "method", "period_start", "period_end", "summary", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
