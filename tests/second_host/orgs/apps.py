from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "tests.second_host.orgs"
    label = "orgs"
    default_auto_field = "django.db.models.BigAutoField"
