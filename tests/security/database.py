"""What a refused request must leave untouched: every row of our own apps' tables."""

from __future__ import annotations

from django.apps import apps

OUR_APPS = ("accounts", "apikeys", "lists")
# Columns that a request may touch without changing anything anyone asked for: the log-in itself, and
# the bookkeeping of a key's use (a refused API call may still have authenticated) and of its refusals.
BOOKKEEPING = {
    "last_login",
    "last_used_at",
    "last_used_ip",
    "last_used_user_agent",
    "last_refused_at",
    "last_refused_reason",
}
BOOKKEEPING_MODELS = {"apikeys.KeyUsage"}  # requests per key and day


def snapshot() -> dict[str, list[tuple]]:
    """Return every row of every model of ours, ordered by primary key, without bookkeeping columns."""
    rows = {}
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label in BOOKKEEPING_MODELS:
                continue
            columns = [f.attname for f in model._meta.concrete_fields if f.attname not in BOOKKEEPING]
            rows[model._meta.label] = list(model._default_manager.order_by("pk").values_list(*columns))
    return rows
