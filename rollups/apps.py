from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_migrate, post_save, pre_migrate


class RollupsConfig(AppConfig):
    name = "rollups"

    def ready(self) -> None:
        from org.models import User
        from pipeline.models import Account, Deal, Product
        from pipeline.signals import deals_written
        from rollups import current, version

        connection_created.connect(version.watch_connection, dispatch_uid="rollups.version")
        pre_migrate.connect(version.migrate_started, dispatch_uid="rollups.migrate_started")
        post_migrate.connect(version.migrate_ended, dispatch_uid="rollups.migrate_ended")
        deals_written.connect(current.on_deals_written, dispatch_uid="rollups.deals")
        post_delete.connect(current.on_deal_deleted, sender=Deal, dispatch_uid="rollups.delete")
        post_save.connect(current.on_person_saved, sender=User, dispatch_uid="rollups.person")
        for model in (Account, Product):
            post_save.connect(
                current.on_grouping_saved, sender=model, dispatch_uid=f"rollups.{model}"
            )
