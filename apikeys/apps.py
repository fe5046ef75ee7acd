from django.apps import AppConfig
from django.core import checks


class ApikeysConfig(AppConfig):
    name = "apikeys"
    verbose_name = "API keys"

    def ready(self):
        from apikeys import checks as apikeys_checks

        checks.register(apikeys_checks.unshared_cache, checks.Tags.caches, deploy=True)
