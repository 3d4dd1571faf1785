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
