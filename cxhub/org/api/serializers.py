from django.contrib.auth import get_user_model
from rest_framework import serializers

from ..models import Department


class UserBriefSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name"]


class DepartmentSerializer(serializers.ModelSerializer):
    head = UserBriefSerializer(read_only=True)
    members = UserBriefSerializer(many=True, read_only=True)
    touchpoint_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "slug", "description", "head", "members", "touchpoint_count"]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    roles = serializers.ListField(child=serializers.CharField())
    department_ids = serializers.ListField(child=serializers.IntegerField())
    language = serializers.CharField()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False, write_only=True)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
