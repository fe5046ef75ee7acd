"""What the app asks of the project it is installed in, in one class the host subclasses.

Name the subclass in ``settings.APIKEYS_ADAPTER`` (a dotted path), as django-allauth's ``ACCOUNT_ADAPTER``.
The methods below are the whole contract; each has a default that works for a simple host.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string

from apikeys import conf


class KeysAdapter:
    """The default behaviour: override what your project does differently."""

    def current_account(self, request: HttpRequest):
        """Return the account (of ``APIKEYS_ACCOUNT_MODEL``) whose keys the user works on, or None.

        Default: ``request.account``, as a host middleware that resolves the tenant would set it.
        """
        return getattr(request, "account", None)

    def can_manage_keys(self, request: HttpRequest, account) -> bool:
        """Return whether the request's user may see and manage ``account``'s keys. Default: nobody may."""
        return False

    def forbidden(self, request: HttpRequest, account) -> HttpResponse:
        """Return the response for a user of ``account`` who may not manage its keys. Default: a plain 403."""
        raise PermissionDenied

    def no_account(self, request: HttpRequest) -> HttpResponse:
        """Return the response for a logged-in user with no current account. Default: 404."""
        raise Http404("No current account.")

    def confirm_identity(self, request: HttpRequest, act: Callable[[HttpRequest], HttpResponse]):
        """Run ``act(request)``, the POST of a sensitive action, or first ask the user who they are.

        Sensitive actions make or revive a working secret: create, clone, roll, reactivate. A host with
        "sudo mode" asks for the password again outside its window and runs ``act`` once confirmed.
        Default: run it.
        """
        return act(request)

    def account_for_object(self, request: HttpRequest, account) -> bool:
        """Make ``account`` current for the user if they may manage its keys there; return whether it is.

        Called on GET when a key's page answers 404 or 403 and its link names a key of another account (an
        email's link, a bookmark), whatever the user's role in the current one: True redirects to the same
        URL, now in that account; False lets the view's answer stand (404, or 403 for a role without keys).
        A host that switches should tell the user (a message). Default: False, so such links stay 404.
        """
        return False

    def key_recipients(self, account) -> list[str]:
        """Return the email addresses told about ``account``'s key events (created, rolled, leaked…).

        Default: nobody.
        """
        return []

    def actor_label(self, user) -> str:
        """Return how a person who acted on a key is named in emails. Default: their username."""
        return user.get_username()

    def absolute_url(self, path: str) -> str:
        """Return ``path`` as an absolute URL for the key emails, which are queued outside any request.

        Default: ``SITE_URL`` + ``path`` (``path`` alone while SITE_URL is unset: ``check --deploy`` warns).
        A host on django.contrib.sites, or with a domain per account, builds it here.
        """
        return f"{conf.get('SITE_URL').rstrip('/')}{path}"

    def public_key(self, account) -> str:
        """Return the account's public key (site ID) shown on the tab, or "" if the host has none.

        Default: the account's ``public_key`` attribute.
        """
        return getattr(account, "public_key", "") or ""

    def is_public_key(self, token: str) -> bool:
        """Return whether ``token`` has the shape of a public key, so the API can say it is the wrong kind.

        Default: False.
        """
        return False


@functools.cache
def _adapter(path: str) -> KeysAdapter:
    return import_string(path)()


def get_adapter() -> KeysAdapter:
    """Return the adapter named by ``APIKEYS_ADAPTER`` (one instance per path)."""
    return _adapter(conf.get("APIKEYS_ADAPTER") or "apikeys.adapter.KeysAdapter")
