"""System checks: a host that configures the app wrongly is told at start-up, naming the setting."""

from __future__ import annotations

from django.apps import apps
from django.core import checks
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.module_loading import import_string

from apikeys import conf, scopes
from apikeys.adapter import KeysAdapter


@checks.register()
def check_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [*_adapter(), *_account_model(), *_scopes(), *_base_template(), *_peppers(), *_session_engine()]


def _adapter():
    path = conf.get("APIKEYS_ADAPTER")
    if not path:
        return [
            checks.Error(
                "APIKEYS_ADAPTER is not set.",
                hint="Name your subclass of apikeys.adapter.KeysAdapter.",
                id="apikeys.E001",
            )
        ]
    try:
        adapter = import_string(path)
    except ImportError as error:
        return [checks.Error(f"APIKEYS_ADAPTER {path!r} cannot be imported: {error}", id="apikeys.E002")]
    if not (isinstance(adapter, type) and issubclass(adapter, KeysAdapter)):
        return [
            checks.Error(
                f"APIKEYS_ADAPTER {path!r} is not a subclass of apikeys.adapter.KeysAdapter.",
                id="apikeys.E003",
            )
        ]
    return []


def _account_model():
    label = conf.account_model_label()
    try:
        apps.get_model(label, require_ready=False)
    except (ValueError, LookupError):
        return [
            checks.Error(
                f"APIKEYS_ACCOUNT_MODEL {label!r} is not an installed model.",
                hint="Name your tenant model as 'app_label.ModelName', as for AUTH_USER_MODEL.",
                id="apikeys.E004",
            )
        ]
    return []


def _scopes():
    _, problems = scopes.parse(conf.get("APIKEYS_SCOPES") or [])
    return [checks.Error(f"APIKEYS_SCOPES: {problem}.", id="apikeys.E005") for problem in problems]


def _base_template():
    name = conf.get("APIKEYS_BASE_TEMPLATE")
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return [checks.Error(f"APIKEYS_BASE_TEMPLATE {name!r} does not exist.", id="apikeys.E006")]
    return []


def _peppers():
    from django.conf import settings

    peppers = getattr(settings, "API_KEY_PEPPERS", None)
    if (
        not peppers
        or not isinstance(peppers, list | tuple)
        or not all(isinstance(p, str) and p.strip() for p in peppers)
    ):
        return [
            checks.Error(
                "API_KEY_PEPPERS must be a list of non-blank secrets, the current one first.",
                hint="Keep them outside the database and apart from SECRET_KEY; see docs/integrate.md.",
                id="apikeys.E007",
            )
        ]
    return []


def _session_engine():
    from django.conf import settings

    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.signed_cookies":
        return []
    return [
        checks.Warning(
            "SESSION_ENGINE keeps sessions in a cookie, so both halves of a new key's secret "
            "(apikeys.reveal) would rest in the browser's cookie jar.",
            hint="Use a server-side session engine: db (the default), cache or cached_db.",
            id="apikeys.W001",
        )
    ]
