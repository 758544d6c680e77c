from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.core import checks
from django.db.models.signals import post_migrate


class PacerAdminConfig(AdminConfig):
    default_site = "spm.admin_site.PacerAdminSite"


class PacerConfig(AppConfig):
    """The project itself: after every migrate, the periodic tasks of `core.schedules`; the
    sign-in time that session limits count from; checks of settings that must agree."""

    name = "spm"
    verbose_name = "Pacer"

    def ready(self) -> None:
        from django.apps import apps

        from core.schedules import schedules_ensure
        from spm import sessions  # noqa: F401  (connects the sign-in receiver)
        from spm.checks import visibility_timeout_check

        # Django signals post_migrate only for apps with models: hang it on the beat tables' app.
        beat = apps.get_app_config("django_celery_beat")
        post_migrate.connect(schedules_ensure, sender=beat, dispatch_uid="pacer-schedules")
        checks.register(visibility_timeout_check)
