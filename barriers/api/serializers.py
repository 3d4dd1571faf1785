from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cxhub.lib.money import currency
from cxhub.org.api.serializers import UserBriefSerializer
from journeys.models import Step, Touchpoint

from ..models import Barrier, Comment, Evidence, ResearchStudy
from ..workflow import TRANSITIONS


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "kind", "text", "source", "study", "created_at"]
        read_only_fields = ["study", "created_at"]


class StakeSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    value_low = serializers.FloatField(allow_null=True)
    value_high = serializers.FloatField(allow_null=True)
    affected = serializers.IntegerField()
    small_n = serializers.BooleanField(
        help_text="Fewer customers than the minimum sample (CXHUB_MIN_SAMPLE, 30 by default) back the churn "
        "figure: read the range."
    )
    currency = serializers.SerializerMethodField(help_text="ISO 4217 code of the sums (the company's currency).")
    missing = serializers.SerializerMethodField(
        help_text="Why there is no figure (value null): not_computed, no_touchpoint, no_target, no_customer_value "
        "or no_loyalty_link; null when there is one."
    )
    zero_because = serializers.SerializerMethodField(
        help_text="Why the figure is 0: no_breach, no_uplift or no_clv; null otherwise."
    )
    explanation = serializers.SerializerMethodField(help_text="The reason and how to fix it, in the caller's language.")
    as_of = serializers.DateTimeField()
    as_of_kind = serializers.SerializerMethodField()

    def get_as_of_kind(self, stake: Any) -> str:
        return "last_recompute"

    def get_currency(self, stake: Any) -> str:
        return currency()

    def get_missing(self, stake: Any) -> str | None:
        return stake.missing

    def get_zero_because(self, stake: Any) -> str | None:
        return stake.zero_because

    def get_explanation(self, stake: Any) -> str:
        return stake.explanation


class BarrierSerializer(serializers.ModelSerializer):
    steps = serializers.PrimaryKeyRelatedField(many=True, queryset=Step.objects.all(), required=False)
    touchpoints = serializers.PrimaryKeyRelatedField(many=True, queryset=Touchpoint.objects.all(), required=False)
    created_by = UserBriefSerializer(read_only=True)
    is_overdue = serializers.BooleanField(source="is_past_due", read_only=True)
    allowed_actions = serializers.SerializerMethodField(help_text="Transitions the caller may make now.")
    evidence = EvidenceSerializer(many=True, required=False, help_text="On create only: quotes and observations.")
    value_at_stake = serializers.SerializerMethodField(
        help_text="Customers affected × churn uplift × CLV (docs/metrics.md), with its 95 % range; written by "
        "the recomputes (full ones, and those after imports of customers, transactions or interactions), so "
        "`as_of` is that run's moment (`as_of_kind`: last_recompute), not the request's; the churn uplift is "
        "the last full recompute's. Null until a recompute has valued the barrier."
    )

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
            "value_at_stake",
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

    @extend_schema_field(StakeSerializer(allow_null=True))
    def get_value_at_stake(self, barrier: Barrier) -> dict | None:
        stake = getattr(barrier, "stake", None)  # metrics.BarrierStake, joined by the selectors
        return None if stake is None else StakeSerializer(stake).data

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
        fields = [
            "id", "title", "method", "period_start", "period_end", "summary", "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["version", "created_at", "updated_at"]
