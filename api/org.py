from rest_framework import serializers

import access
from api.base import ModelValidatingSerializer, ScopedViewSet
from api.defaults import Conflict
from org.models import Team, User
from org.services import reporting_move_refusal


class UserSerializer(ModelValidatingSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    scoped = {"manager": access.visible_people}
    not_cleaned = ("password",)
    effective_from = serializers.DateField(
        write_only=True,
        required=False,
        help_text="With a new manager or team: the day it takes effect (ISO, not in the "
        "future). Default: today.",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "role",
            "title",
            "manager",
            "team",
            "hired_on",
            "is_active",
            "effective_from",
        ]

    def validate(self, attrs):
        self.effective_from = attrs.pop("effective_from", None)
        if self.effective_from is not None and self.instance is not None:
            refusal = reporting_move_refusal(self.instance, self.effective_from)
            if refusal:
                raise serializers.ValidationError({"effective_from": [refusal]})
        return super().validate(attrs)

    def create(self, validated_data):
        """People created here sign in once an admin sets their password."""
        user = User(**validated_data)
        user.set_unusable_password()
        user.save()
        return user

    def update(self, instance, validated_data):
        instance.effective_from = self.effective_from
        return super().update(instance, validated_data)


class UserViewSet(ScopedViewSet):
    """People: reps see themselves, managers their reporting tree, others everyone."""

    visible = staticmethod(access.visible_people)
    select = ("manager", "team")
    serializer_class = UserSerializer
    filterset_fields = ["role", "manager", "team", "is_active"]
    search_fields = ["username", "first_name", "last_name"]
    ordering_fields = ["last_name", "username"]

    def perform_destroy(self, instance):
        if instance == self.request.user:
            raise Conflict("You cannot delete your own account: ask another admin.")
        super().perform_destroy(instance)


class TeamSerializer(ModelValidatingSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "manager"]


class TeamViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_teams)
    serializer_class = TeamSerializer
    filterset_fields = ["manager"]
    search_fields = ["name"]
    ordering_fields = ["name"]
