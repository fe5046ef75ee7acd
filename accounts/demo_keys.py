"""The demo's API keys: one of each kind, with 30 days of usage and activity, so the tab looks lived in."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apikeys import scopes
from apikeys.models import KeyEvent, KeyUsage, PrivateKey

DAYS = 30
ROLLED_AGO = timedelta(days=4)  # with a grace of 7 days, the old key stops in 3


def seed(account, owner, admin) -> bool:
    """Give ``account`` its demo keys, unless it has keys already; return whether it got them."""
    if PrivateKey.objects.for_account(account).exists():
        return False
    now = timezone.now()
    issue = PrivateKey.objects.issue
    storefront, _ = issue(account, "Storefront", sorted(scopes.FULL_ACCESS), owner, ip="198.51.100.10")
    reporting, _ = issue(account, "Reporting dashboard", sorted(scopes.READ_ONLY), admin, ip="198.51.100.11")
    zapier, _ = issue(
        account,
        "Zapier",
        ["lists:read", "lists:write", "profiles:read"],
        admin,
        allowed_ips=["203.0.113.0/24"],
        ip="198.51.100.11",
    )
    warehouse, _ = issue(
        account,
        "Warehouse sync",
        ["catalogs:read", "catalogs:write"],
        owner,
        expires_at=now + timedelta(days=5),
    )
    checkout, _ = issue(
        account, "Checkout", ["events:read", "events:write", "profiles:read", "profiles:write"], owner
    )
    rolled = now - ROLLED_AGO
    checkout_new, _ = checkout.roll(
        by=owner, grace=timedelta(days=7), now=rolled, expires_at=rolled + timedelta(days=90)
    )
    mobile, _ = issue(account, "Old mobile app", sorted(scopes.READ_ONLY), owner)
    mobile.deactivate(by=admin, reason="Replaced by the new mobile app; the old build is no longer shipped.")

    # Spread the story over the last month: keys made weeks ago, the roll and the deactivation days ago.
    ages = {storefront: 29, reporting: 26, zapier: 21, warehouse: 25, checkout: 28, mobile: 27}
    for key, age in ages.items():
        _move(key, now - timedelta(days=age))
    _move(checkout, rolled, KeyEvent.Action.ROLLED, "rolled_at")  # both keys record the roll
    _move(checkout_new, rolled, KeyEvent.Action.ROLLED)
    _move(mobile, now - timedelta(days=4), KeyEvent.Action.DEACTIVATED, "deactivated_at")
    usage = {storefront: 1200, reporting: 140, zapier: 60, warehouse: 300, checkout: 500, checkout_new: 380}
    for key, base in usage.items():
        _use(key, base, now)
    # Some refusals, so the charts show them: a script calling Zapier's key from outside its allowlist, a
    # dashboard trying to write with a read-only key, and old app builds still sending a deactivated key.
    _refuse(zapier, 0.15, now, PrivateKey.Refused.IP_NOT_ALLOWED)
    _refuse(reporting, 0.04, now, PrivateKey.Refused.INSUFFICIENT_SCOPE)
    _use(mobile, 90, now, last_used_days_ago=4)
    _refuse(mobile, 1.0, now, PrivateKey.Refused.INACTIVE, days=4)
    return True


def _move(key, when, action=KeyEvent.Action.CREATED, field: str = "created_at") -> None:
    """Date back to ``when`` what happened to ``key``: its ``action`` events and the field that records it."""
    PrivateKey.objects.filter(pk=key.pk).update(**{field: when})
    KeyEvent.objects.filter(key=key, action=action).update(created_at=when)


def _use(key, base: int, now, *, last_used_days_ago: int = 0) -> None:
    """Write a month of daily request counts (weekdays busier), and when and from where it was last used."""
    today = now.date()
    created = PrivateKey.objects.values_list("created_at", flat=True).get(pk=key.pk).date()
    rows = []
    for age in range(DAYS):
        day = today - timedelta(days=age)
        if day < created:
            continue
        weekday_factor = 0.4 if day.weekday() >= 5 else 1.0
        requests = int(base * weekday_factor * (1 + ((age * 7) % 5) / 10))
        rows.append(KeyUsage(key=key, day=day, requests=requests))
    KeyUsage.objects.bulk_create(rows)
    PrivateKey.objects.filter(pk=key.pk).update(
        last_used_at=now - timedelta(days=last_used_days_ago, minutes=7),
        last_used_ip="203.0.113.24",
        last_used_user_agent="demo-client/1.0",
    )


def _refuse(key, share: float, now, reason, *, days: int = DAYS) -> None:
    """Count ``share`` of the key's requests in its last ``days`` days as refused (at least one every other
    day), and note its last refusal a few minutes ago."""
    rows = KeyUsage.objects.filter(key=key, day__gt=now.date() - timedelta(days=days))
    for index, row in enumerate(rows):
        row.refused = min(max(int(row.requests * share), index % 2), row.requests)
        row.save(update_fields=["refused"])
    PrivateKey.objects.filter(pk=key.pk).update(
        last_refused_at=now - timedelta(minutes=3), last_refused_reason=reason
    )
