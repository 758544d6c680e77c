from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "territories"

    def ready(self) -> None:
        from territories import audit

        audit.connect()
