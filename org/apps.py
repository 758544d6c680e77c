from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = "Sales organisation"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from org import audit
        from org.models import User
        from org.services import reporting_line_follow

        audit.connect()
        post_save.connect(reporting_line_follow, sender=User, dispatch_uid="reporting-lines")
