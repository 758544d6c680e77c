from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = "Sales organisation"

    def ready(self) -> None:
        from org import audit

        audit.connect()
