from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts import sudo

        user_logged_in.connect(sudo.on_login, dispatch_uid="accounts.sudo.on_login")


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on ``accounts.admin_site.AdminSite``, which asks staff for a second factor."""

    default = False
    default_site = "accounts.admin_site.AdminSite"
