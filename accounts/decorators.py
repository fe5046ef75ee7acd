"""Who may enter a settings view.

Every request re-reads the user's memberships from the database: the session only remembers which
account was chosen, never the role, so a demoted or removed member loses access on the next request.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts import twofactor
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


def member_required(view=None, *, two_factor_policy: bool = True):
    """Let in a logged-in member of some account; set request.membership and request.account.

    A member the account's two-factor policy applies to, in a session without a second factor, sees only
    the page asking them to set it up (``two_factor_policy=False``: the account switcher, to go elsewhere).
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            membership = current_membership(request)
            if membership is None:
                return render_no_account(request)
            request.membership = membership
            request.account = membership.account
            wall = two_factor_policy and two_factor_wall(request, membership)
            if wall:
                return wall
            return view(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator


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


def two_factor_wall(request, membership):
    """Return the page asking to set up two-factor log-in when the account's policy applies to this member
    and the session has no second factor; None otherwise."""
    if membership.must_use_two_factor and not twofactor.is_verified(request):
        context = {"has_two_factor": twofactor.has_two_factor(request.user)}
        return render(request, "accounts/two_factor_required.html", context, status=403)
    return None


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
