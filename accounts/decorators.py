"""Who may enter a settings view.

Every request re-reads the user's memberships from the database: the session only remembers which
account was chosen, never the role, so a demoted or removed member loses access on the next request.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.models import AccountEvent, Membership
from accounts.roles import MANAGERS_OF_ACCOUNT

SESSION_ACCOUNT_KEY = "current_account"


def load_memberships(request) -> list[Membership]:
    """Return the user's memberships (one query, cached on the request)."""
    if not hasattr(request, "_memberships"):
        request._memberships = (
            list(
                Membership.objects.filter(user=request.user)
                .select_related("account")
                .order_by("account__name", "account_id")
            )
            if request.user.is_authenticated
            else []
        )
    return request._memberships


def current_membership(request) -> Membership | None:
    """Return the membership of the account chosen in the session, else of the account chosen last
    (``User.last_account``, kept across log-ins), else the first one."""
    memberships = load_memberships(request)
    chosen = request.session.get(SESSION_ACCOUNT_KEY)
    for membership in memberships:
        if membership.account.public_key == chosen:
            return membership
    for membership in memberships:
        if membership.account_id == request.user.last_account_id:
            return membership
    return memberships[0] if memberships else None


def choose_account(request, account) -> None:
    """Make ``account`` (one of the user's) current for this session and the next log-ins."""
    request.session[SESSION_ACCOUNT_KEY] = account.public_key
    if request.user.last_account_id != account.pk:
        request.user.last_account = account
        request.user.save(update_fields=["last_account"])


def member_required(view):
    """Let in a logged-in member of some account; set request.membership and request.account."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        membership = current_membership(request)
        if membership is None:
            return render_no_account(request)
        request.membership = membership
        request.account = membership.account
        return view(request, *args, **kwargs)

    return wrapper


def capability_required(capability: str):
    """Let in members whose role has the capability (a ``can_*`` property); others get 403."""

    def decorator(view):
        @member_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not getattr(request.membership, capability):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def render_no_account(request):
    """Render the page for a user who belongs to no account, saying so if they were removed from one."""
    removal = (
        AccountEvent.objects.filter(target_user=request.user, action=AccountEvent.Action.MEMBER_REMOVED)
        .select_related("account")
        .first()
    )
    return render(request, "accounts/no_account.html", {"removal": removal})


def forbidden(request):
    """Render the friendly 403 page naming who can help."""
    helpers = (
        Membership.objects.filter(account=request.account, role__in=MANAGERS_OF_ACCOUNT)
        .select_related("user")
        .order_by("role", "user__email")
    )
    return render(request, "accounts/forbidden.html", {"helpers": helpers}, status=403)
