from django.contrib.auth.backends import ModelBackend

import access


class RoleBackend(ModelBackend):
    """Sales operations admins hold every model permission; others only what was granted."""

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return access.can_manage_org(user_obj) or super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label) -> bool:
        return access.can_manage_org(user_obj) or super().has_module_perms(user_obj, app_label)
