from rest_framework import serializers

from ..models import DataImport


class DataImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = DataImport
        fields = [
            "id",
            "kind",
            "file_name",
            "file_size",
            "via",
            "valid_rows_only",
            "status",
            "progress",
            "rows_total",
            "rows_created",
            "rows_updated",
            "rows_skipped",
            "error_count",
            "errors",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DataImport.Kind.choices)
    file = serializers.FileField(help_text="CSV (UTF-8, `,` or `;`) or XLSX; columns in docs/import.md.")
    valid_rows_only = serializers.BooleanField(default=False)


class ReportQuerySerializer(serializers.Serializer):
    """The window of a report: [start, end) in days; as_of defaults to the last recompute."""

    start = serializers.DateField(required=False, help_text="First day (default: 365 days before end).")
    end = serializers.DateField(required=False, help_text="Day after the window (exclusive).")
    as_of = serializers.DateTimeField(required=False, help_text="Reference moment (default: the last recompute).")
