"""How the API keys app meets this project: accounts, roles and emails (settings.APIKEYS_ADAPTER)."""

from __future__ import annotations

from django.contrib import messages

from accounts import twofactor
from accounts.decorators import (
    choose_account,
    current_membership,
    forbidden,
    load_memberships,
    render_no_account,
    two_factor_wall,
)
from accounts.models import PUBLIC_KEY_ALPHABET, PUBLIC_KEY_LENGTH, Membership
from accounts.sudo import sudo_required
from apikeys.adapter import KeysAdapter as BaseKeysAdapter

_PUBLIC_KEY_CHARACTERS = frozenset(PUBLIC_KEY_ALPHABET)


class KeysAdapter(BaseKeysAdapter):
    def current_account(self, request):
        """The account chosen in the session; the membership stays on the request for the settings pages."""
        request.membership = current_membership(request)
        return request.membership.account if request.membership else None

    def can_manage_keys(self, request, account):
        """Owners and admins, in a session with a second factor when the account requires one."""
        membership = getattr(request, "membership", None)
        if membership is None or membership.account_id != account.pk or not membership.can_manage_api_keys:
            return False
        return not (membership.must_use_two_factor and not twofactor.is_verified(request))

    def forbidden(self, request, account):
        request.account = account
        return two_factor_wall(request, request.membership) or forbidden(request)

    def no_account(self, request):
        return render_no_account(request)

    def confirm_identity(self, request, act):
        """Sudo mode (accounts/sudo.py): the password or a code again, outside its window."""
        return sudo_required(act)(request)

    def account_for_object(self, request, account):
        """Switch to ``account`` if the user may manage its keys there, and say so."""
        membership = next((m for m in load_memberships(request) if m.account_id == account.pk), None)
        if membership is None or not membership.can_manage_api_keys:
            return False
        choose_account(request, account)
        messages.info(request, f"Switched to {account.name} to show this link.")
        return True

    def key_recipients(self, account):
        """The active owners and admins (the roles that manage keys)."""
        memberships = Membership.objects.filter(account=account, user__is_active=True).select_related("user")
        return sorted({m.user.email for m in memberships if m.can_manage_api_keys})

    def actor_label(self, user):
        name = user.get_full_name()
        return f"{name} ({user.email})" if name and name != user.email else user.email

    def is_public_key(self, token):
        return len(token) == PUBLIC_KEY_LENGTH and _PUBLIC_KEY_CHARACTERS.issuperset(token)
