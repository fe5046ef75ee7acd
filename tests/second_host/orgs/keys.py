"""How the apikeys app meets Orbit (settings.APIKEYS_ADAPTER), written from docs/integrate.md alone."""

from __future__ import annotations

import re

from django.shortcuts import render

from apikeys.adapter import KeysAdapter

from .models import SITE_ID_ALPHABET, SITE_ID_LENGTH, SITE_ID_PREFIX, Member

_SITE_ID = re.compile(rf"{SITE_ID_PREFIX}[{SITE_ID_ALPHABET}]{{{SITE_ID_LENGTH}}}")


class OrbitKeysAdapter(KeysAdapter):
    def current_account(self, request):
        """The organization of the user's first seat (Orbit has no organization switcher)."""
        seat = request.user.orbit_seats.select_related("organization").order_by("pk").first()
        return seat.organization if seat else None

    def can_manage_keys(self, request, account):
        return Member.objects.filter(
            organization=account, user=request.user, role=Member.Role.LEAD, user__is_active=True
        ).exists()

    def forbidden(self, request, account):
        return render(request, "orgs/forbidden.html", {"organization": account}, status=403)

    def key_recipients(self, account):
        leads = account.members.filter(role=Member.Role.LEAD, user__is_active=True).select_related("user")
        return sorted({seat.user.email for seat in leads if seat.user.email})

    def actor_label(self, user):
        return user.get_full_name() or user.get_username()

    def public_key(self, account):
        return account.site_id

    def is_public_key(self, token):
        return _SITE_ID.fullmatch(token) is not None
