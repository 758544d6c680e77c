from django.contrib.admin.apps import AdminConfig


class PacerAdminConfig(AdminConfig):
    default_site = "spm.admin_site.PacerAdminSite"
