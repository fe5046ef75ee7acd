"""The expiring-keys warning that settings pages show to the members who manage keys."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from apikeys.models import PrivateKey

BANNER_LIMIT = 10  # keys named in the banner; the badge says "10+" beyond


def expiring_keys(request):
    """Give owners and admins the current account's keys that stop working within a week.

    Only settings views set ``request.membership``, so other pages and other roles get nothing and cost
    nothing; for owners and admins it is one small query, run only if the page renders the warning. A rolled
    key is listed too, as a reminder to move what still uses it to its replacement before its grace ends.
    """
    membership = getattr(request, "membership", None)
    if membership is None or not membership.can_manage_api_keys:
        return {}

    def load():
        keys = PrivateKey.objects.for_account(membership.account).expiring()
        return list(keys.only("public_id", "name", "hint", "expires_at", "rolled_to")[: BANNER_LIMIT + 1])

    return {"expiring_keys": SimpleLazyObject(load), "expiring_keys_limit": BANNER_LIMIT}
