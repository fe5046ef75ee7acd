from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.decorators import SESSION_ACCOUNT_KEY, load_memberships, member_required


@member_required
def account(request):
    """The Account tab: name and public key."""
    return render(request, "accounts/account.html", {"tab": "account"})


@member_required
def users(request):
    """The Users tab: members and their roles."""
    members = request.account.memberships.select_related("user").order_by("created_at", "id")
    return render(request, "accounts/users.html", {"tab": "users", "members": members})


@require_POST
@member_required
def switch_account(request):
    """Make another of the user's accounts the current one; a foreign account is 404."""
    chosen = request.POST.get("account", "")
    membership = next((m for m in load_memberships(request) if m.account.public_key == chosen), None)
    if membership is None:
        raise Http404("No such account.")
    request.session[SESSION_ACCOUNT_KEY] = membership.account.public_key
    messages.success(request, f"Switched to {membership.account.name}.")
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # A URL, never a view name: redirect() would try to reverse "foo" and fail with a 500.
        return HttpResponseRedirect(next_url)
    return redirect("accounts:account")
