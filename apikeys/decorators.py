"""Who may enter the API keys tab: a logged-in user whom the host's adapter lets manage the current account's
keys. The decorator sets ``request.account``; every view finds its objects within it."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required

from apikeys.adapter import get_adapter


def keys_manager_required(view):
    """Let in users who may manage the current account's keys; others get the adapter's answer."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        adapter = get_adapter()
        account = adapter.current_account(request)
        if account is None:
            return adapter.no_account(request)
        if not adapter.can_manage_keys(request, account):
            return adapter.forbidden(request, account)
        request.account = account
        return view(request, *args, **kwargs)

    return wrapper


def sensitive_action(view):
    """Mark a view whose POST makes or revives a working secret (create, clone, roll, reactivate).

    The host's adapter may ask the user to confirm who they are first (``KeysAdapter.confirm_identity``);
    put it below ``keys_manager_required``, so that login and role answer first.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        return get_adapter().confirm_identity(request, lambda request: view(request, *args, **kwargs))

    wrapper.sensitive_action = True
    return wrapper
