from rest_framework import permissions, serializers

import access
from api.base import ReadOnlyScopedViewSet
from org.models import User
from pipeline.models import ImportRun


class CanImport(permissions.BasePermission):
    message = "Only sales operations sees the import log."

    def has_permission(self, request, view) -> bool:
        return access.can_import(request.user)


class ImportRunSerializer(serializers.ModelSerializer):
    user: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "user",
            "started_at",
            "finished_at",
            "file_name",
            "sha256",
            "kind",
            "mapping",
            "dry_run",
            "status",
            "rows",
            "created",
            "updated",
            "unchanged",
            "error_count",
            "errors",
            "notes",
            "named",
            "warnings",
        ]


class ImportRunViewSet(ReadOnlyScopedViewSet):
    """The import log: every CSV import, dry run or applied, with its counts and errors."""

    visible = staticmethod(access.visible_import_runs)
    serializer_class = ImportRunSerializer
    select = ("user",)
    permission_classes = [permissions.IsAuthenticated, CanImport]
    filterset_fields = ["kind", "status", "dry_run"]
    ordering_fields = ["started_at"]
