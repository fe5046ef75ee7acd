"""The expiring-keys warning that the host's settings pages show to the people who manage keys."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from apikeys.adapter import get_adapter
from apikeys.forms import lifetime_label
from apikeys.models import EXPIRY_WARNING, PrivateKey

BANNER_LIMIT = 10  # keys counted in the banner; the badge says "10+" beyond
BANNER_DISMISSED = "apikeys.banner_dismissed"  # session entry: the accounts whose banner was dismissed
JUST_ROLLED = timedelta(hours=1)  # a grace period chosen this recently needs no reminder


def expiring_keys(request):
    """Give the people who manage the current account's keys those that stop within ``EXPIRY_WARNING``.

    Only pages that set ``request.account`` get them, queried only if rendered. Rolled keys are listed too, a
    reminder to move to the replacement, unless this user rolled them within the hour.
    """
    account = getattr(request, "account", None)
    if account is None or not request.user.is_authenticated:
        return {}
    if not get_adapter().can_manage_keys(request, account):
        return {}

    def load():
        since = timezone.now() - JUST_ROLLED
        keys = PrivateKey.objects.for_account(account).expiring().not_rolled_by(request.user, since=since)
        return list(keys.only("public_id", "name", "hint", "expires_at", "rolled_to")[: BANNER_LIMIT + 1])

    return {
        "expiring_keys": SimpleLazyObject(load),
        "expiring_keys_limit": BANNER_LIMIT,
        "expiring_within": lifetime_label(EXPIRY_WARNING),  # "7 days"
        "expiring_banner_dismissed": str(account.pk) in request.session.get(BANNER_DISMISSED, []),
    }
