"""System checks: a host that configures the app wrongly is told at start-up, naming the setting; and
``check --deploy`` warns when the cache cannot hold throttle counters for the whole site, or when the key
emails would link nowhere (no ``SITE_URL``)."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.module_loading import import_string

from apikeys import conf, scopes
from apikeys.adapter import KeysAdapter, get_adapter


@checks.register()
def check_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [*_adapter(), *_account_model(), *_scopes(), *_base_template(), *_peppers(), *_site_url()]


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


def _site_url():
    site_url = conf.get("SITE_URL")
    if site_url and not (isinstance(site_url, str) and site_url.startswith(("https://", "http://"))):
        return [
            checks.Error(
                f"SITE_URL {site_url!r} is not an absolute http(s) URL.",
                hint="Name where the site is reached, e.g. https://keys.example.com.",
                id="apikeys.E008",
            )
        ]
    return []


@checks.register(deploy=True)
def missing_site_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when the key emails would carry bare paths: no SITE_URL, and the adapter keeps the default."""
    if conf.get("SITE_URL") or _adapter():  # a broken adapter is already an error of its own
        return []
    if type(get_adapter()).absolute_url is not KeysAdapter.absolute_url:
        return []
    return [
        checks.Warning(
            "SITE_URL is not set: the links in emails about keys are paths without the site's address.",
            hint="Set SITE_URL to where the site is reached, e.g. https://keys.example.com.",
            id="apikeys.W002",
        )
    ]


# What each cache that cannot hold a throttle's counters for a whole site does to them.
UNSHARED_CACHES = {
    LocMemCache: "keeps its counters in each worker process, so every worker counts on its own",
    DummyCache: "keeps nothing, so nothing is ever counted",
    FileBasedCache: "increments by reading then writing a file, so parallel requests lose counts",
}


@checks.register(checks.Tags.caches, deploy=True)
def unshared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when DEBUG is off and the default cache cannot count throttled attempts for the whole site."""
    if settings.DEBUG:
        return []
    cache = caches[DEFAULT_CACHE_ALIAS]
    problem = next((text for kind, text in UNSHARED_CACHES.items() if isinstance(cache, kind)), None)
    if problem is None:
        return []
    return [
        checks.Warning(
            f"The default cache ({type(cache).__name__}) {problem}: the limits on failed log-ins, failed "
            "API authentications and client subscriptions are then not enforced as configured.",
            hint="Use a cache every worker shares, e.g. CACHE_URL=redis://127.0.0.1:6379/0.",
            id="apikeys.W001",
        )
    ]
