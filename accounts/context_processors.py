from accounts.decorators import current_membership, load_memberships


def current_account(request):
    """Give the header the current membership and the accounts to switch to."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None) or current_membership(request)
    return {
        "current_membership": membership,
        "memberships": load_memberships(request),
    }
