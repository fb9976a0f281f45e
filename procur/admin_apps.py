"""Django's admin app, serving ``procur.admin_site.ProcurAdminSite`` (its own module: an app
config is imported before models are ready, the site's login forms need them)."""

from django.contrib.admin.apps import AdminConfig


class ProcurAdminConfig(AdminConfig):
    default_site = "procur.admin_site.ProcurAdminSite"
