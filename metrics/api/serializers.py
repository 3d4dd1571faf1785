from typing import Any

from rest_framework import serializers

from ..models import DataImport


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row as people count it (the header is row 1).")
    column = serializers.CharField(allow_blank=True)
    message = serializers.CharField(help_text="What is wrong, in the caller's language (Accept-Language).")


class DataImportSerializer(serializers.ModelSerializer):
    errors = serializers.SerializerMethodField(help_text="The first problems found, in file order.")
    message = serializers.SerializerMethodField(help_text="Why the import failed, in the caller's language.")

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

    def get_errors(self, data_import: DataImport) -> list[dict[str, Any]]:
        return ImportProblemSerializer(data_import.problems, many=True).data

    def get_message(self, data_import: DataImport) -> str:
        return data_import.message_text


class ImportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DataImport.Kind.choices)
    file = serializers.FileField(help_text="CSV (UTF-8, `,` or `;`) or XLSX; columns in docs/import.md.")
    valid_rows_only = serializers.BooleanField(default=False)


class ReportQuerySerializer(serializers.Serializer):
    """The window of a report: [start, end) in days; as_of defaults to the last recompute."""

    start = serializers.DateField(required=False, help_text="First day (default: 365 days before end).")
    end = serializers.DateField(required=False, help_text="Day after the window (exclusive).")
    as_of = serializers.DateTimeField(required=False, help_text="Reference moment (default: the last recompute).")
