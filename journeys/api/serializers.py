from rest_framework import serializers

from ..models import Touchpoint


class TouchpointSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)

    class Meta:
        model = Touchpoint
        fields = ["id", "name", "code", "channel", "channel_label", "department", "department_name", "description"]
