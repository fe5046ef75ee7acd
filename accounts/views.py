from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import roles, twofactor
from accounts.decorators import (
    SESSION_ACCOUNT_KEY,
    capability_required,
    choose_account,
    load_memberships,
    member_required,
)
from accounts.forms import AcceptInvitationForm, InviteForm, RoleForm, TwoFactorPolicyForm
from accounts.models import INVITATION_LIFETIME_LABEL, Invitation, Membership, User
from accounts.sudo import sudo_required
from apikeys import mail
from apikeys.http import client_ip


@member_required
@require_safe
def account(request):
    """The Account tab: name and public key."""
    return render(request, "accounts/account.html", {"tab": "account"})


@require_POST
@capability_required("can_set_two_factor_policy")
def two_factor_policy(request):
    """The owner requires two-factor log-in of whoever may manage keys or users, or stops requiring it."""
    form = TwoFactorPolicyForm(request.POST)
    form.is_valid()  # a lone optional checkbox: always valid
    required = form.cleaned_data["required"]
    try:
        request.account.require_two_factor(
            required,
            by=request.membership,
            has_two_factor=twofactor.is_verified(request),
            ip=client_ip(request),
        )
    except roles.NotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        state = "now required" if required else "no longer required"
        messages.success(request, f"Two-factor log-in is {state} for owners and admins.")
    return redirect("accounts:account")


@member_required
@require_safe
def users(request):
    """The Users tab: members, pending invitations and activity; owners and admins manage them here."""
    return _render_users(request, InviteForm(account=request.account))


@require_POST
@member_required(two_factor_policy=False)
def switch_account(request):
    """Make another of the user's accounts the current one; a foreign account is 404."""
    chosen = request.POST.get("account", "")
    membership = next((m for m in load_memberships(request) if m.account.public_key == chosen), None)
    if membership is None:
        raise Http404("No such account.")
    choose_account(request, membership.account)
    messages.success(request, f"Switched to {membership.account.name}.")
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # A URL, never a view name: redirect() would try to reverse "foo" and fail with a 500.
        return HttpResponseRedirect(next_url)
    return redirect("accounts:account")


# The Users tab. Rules live in accounts/roles.py and are enforced by the model verbs inside their
# transactions; the views here find the object, validate the form, call the verb and report.

EVENTS_SHOWN = 50


def _render_users(request, invite_form: InviteForm):
    actor = request.membership
    members = list(request.account.memberships.select_related("user").order_by("created_at", "id"))
    for member in members:
        member.is_you = member.pk == actor.pk
        member.actions = roles.member_actions(actor.role, member.role, is_self=member.is_you)
    context = {
        "tab": "users",
        "members": members,
        "invitations": request.account.invitations.pending().select_related("invited_by"),
        "events": request.account.events.all()[:EVENTS_SHOWN] if actor.can_manage_users else [],
        "invite_form": invite_form,
        "assignable_roles": roles.assignable_roles(),
        "invitation_lifetime": INVITATION_LIFETIME_LABEL,
    }
    return render(request, "accounts/users.html", context)


def _get_member(request, public_id) -> Membership:
    """Return a membership of the current account; any other (or none) is 404."""
    return get_object_or_404(
        Membership.objects.select_related("user"), account=request.account, public_id=public_id
    )


def _get_invitation(request, public_id) -> Invitation:
    return get_object_or_404(Invitation, account=request.account, public_id=public_id)


def _send_email(request, template: str, to: str, context: dict) -> None:
    """Send one of the accounts/email/ messages; if it fails, say so rather than fail the change."""
    if not mail.send(f"accounts/email/{template}", [to], context):
        messages.warning(request, f"The email to {to} could not be sent. Try again with Resend.")


def _email_invitation(request, invitation: Invitation, token: str) -> None:
    link = request.build_absolute_uri(reverse("accept_invitation", args=[token]))
    context = {
        "invitation": invitation,
        "link": link,
        "inviter": request.user,
        "lifetime": INVITATION_LIFETIME_LABEL,
    }
    _send_email(request, "invitation", invitation.email, context)


@require_POST
@capability_required("can_manage_users")
def invite(request):
    """Email an invitation link, whether or not the address has a login: the answer is the same."""
    form = InviteForm(request.POST, account=request.account)
    if not form.is_valid():
        return _render_users(request, form)
    email, role = form.cleaned_data["email"], form.cleaned_data["role"]
    try:
        invitation, token = Invitation.objects.issue(
            request.account, email, role, by=request.membership, ip=client_ip(request)
        )
    except roles.NotAllowed as refusal:
        form.add_error(None, str(refusal))
        return _render_users(request, form)
    _email_invitation(request, invitation, token)
    messages.success(
        request,
        f"Invitation sent to {email} as {invitation.get_role_display()}. "
        f"The link works for {INVITATION_LIFETIME_LABEL}.",
    )
    return redirect("accounts:users")


def _to_admin(request) -> bool:
    return request.POST.get("role") == roles.Role.ADMIN


@require_POST
@capability_required("can_manage_users")
@sudo_required(when=_to_admin)
def change_role(request, public_id):
    """Give a member another role; the roles module refuses what the rules forbid."""
    member = _get_member(request, public_id)
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise roles.NotAllowed(form.errors["role"][0])
        member.change_role(form.cleaned_data["role"], by=request.membership, ip=client_ip(request))
    except roles.NotAllowed as refusal:
        messages.error(request, f"{member.user.email}'s role was not changed: {refusal}")
    else:
        messages.success(request, f"{member.user.email} is now {member.get_role_display()}.")
    return redirect("accounts:users")


@require_http_methods(["GET", "POST"])
@capability_required("can_manage_users")
def remove_member(request, public_id):
    """GET asks for confirmation; POST removes the member, who loses access on their next request."""
    member = _get_member(request, public_id)
    actor = request.membership
    if request.method == "GET":
        refusal = roles.refusal(roles.check_remove, actor.role, member.role, is_self=member.pk == actor.pk)
        return render(
            request, "accounts/confirm_remove.html", {"tab": "users", "member": member, "refusal": refusal}
        )
    try:
        member.remove(by=actor, ip=client_ip(request))
    except roles.NotAllowed as refusal:
        messages.error(request, f"{member.user.email} was not removed: {refusal}")
    else:
        messages.success(request, f"{member.user.email} was removed from {request.account.name}.")
    return redirect("accounts:users")


@require_http_methods(["GET", "POST"])
@capability_required("can_manage_users")
@sudo_required
def transfer_ownership(request, public_id):
    """GET asks for confirmation; POST makes this admin the owner and the current owner an admin."""
    member = _get_member(request, public_id)
    actor = request.membership
    if request.method == "GET":
        refusal = roles.refusal(roles.check_transfer, actor.role, member.role, is_self=member.pk == actor.pk)
        return render(
            request, "accounts/confirm_transfer.html", {"tab": "users", "member": member, "refusal": refusal}
        )
    try:
        member.make_owner(by=actor, ip=client_ip(request))
    except roles.NotAllowed as refusal:
        messages.error(request, f"Ownership was not transferred: {refusal}")
    else:
        messages.success(request, f"{member.user.email} now owns {request.account.name}. You are an admin.")
    return redirect("accounts:users")


@require_http_methods(["GET", "POST"])
@member_required
def leave_account(request):
    """GET asks for confirmation; POST takes the user out of the current account (never its owner)."""
    membership = request.membership
    if request.method == "GET":
        refusal = roles.refusal(roles.check_leave, membership.role)
        return render(request, "accounts/confirm_leave.html", {"tab": "users", "refusal": refusal})
    try:
        membership.leave(ip=client_ip(request))
    except roles.NotAllowed as refusal:
        messages.error(request, str(refusal))
        return redirect("accounts:users")
    request.session.pop(SESSION_ACCOUNT_KEY, None)
    messages.success(request, f"You left {request.account.name}.")
    return redirect("accounts:account")


@require_POST
@capability_required("can_manage_users")
def resend_invitation(request, public_id):
    """Email a fresh link (the old one stops working) valid for another INVITATION_LIFETIME."""
    invitation = _get_invitation(request, public_id)
    try:
        token = invitation.resend(by=request.membership, ip=client_ip(request))
    except roles.NotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        _email_invitation(request, invitation, token)
        messages.success(request, f"A new invitation link was sent to {invitation.email}.")
    return redirect("accounts:users")


@require_POST
@capability_required("can_manage_users")
def revoke_invitation(request, public_id):
    """Make an invitation's link stop working."""
    invitation = _get_invitation(request, public_id)
    try:
        invitation.revoke(by=request.membership, ip=client_ip(request))
    except roles.NotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"The invitation to {invitation.email} was revoked.")
    return redirect("accounts:users")


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("new_password1", "new_password2")
@sensitive_variables("token")  # hidden in the frames it calls too (for_token, the digest)
def accept_invitation(request, token):
    """The link in an invitation email: show it, then join (creating the login for a new address)."""
    invitation = Invitation.objects.for_token(token)
    if invitation is None:
        reason = "This invitation link is not valid. Check that you opened the whole link from the email."
        return render(request, "accounts/invitation_invalid.html", {"reason": reason}, status=404)
    if not invitation.is_usable:
        reason = invitation.refusal_for(invitation.status)
        return render(request, "accounts/invitation_invalid.html", {"reason": reason}, status=410)
    if request.user.is_authenticated:
        return _accept_as(request, invitation, request.user)
    if User.objects.filter(email__iexact=invitation.email).exists():
        login_url = f"{reverse('login')}?{urlencode({'next': request.path})}"
        return render(request, "accounts/invitation.html", {"invitation": invitation, "login_url": login_url})
    form = AcceptInvitationForm(
        User(email=invitation.email), request.POST if request.method == "POST" else None
    )
    if form.is_valid():
        return _accept_as(request, invitation, form.save(), form=form)
    return render(request, "accounts/invitation.html", {"invitation": invitation, "form": form})


def _accept_as(request, invitation: Invitation, user: User, form=None):
    """Accept for ``user`` on POST (a new user is created and logged in); GET shows the Join button."""
    context = {"invitation": invitation, "form": form}
    if user.email.lower() != invitation.email:
        context["refusal"] = (
            f"This invitation is for {invitation.email}, but you are logged in as {user.email}. "
            "Log out, then open the link again."
        )
        return render(request, "accounts/invitation.html", context, status=403)
    if request.method != "POST":
        return render(request, "accounts/invitation.html", context)
    try:
        membership = invitation.accept(user, ip=client_ip(request))
    except roles.NotAllowed as refusal:
        context["refusal"] = str(refusal)
        return render(request, "accounts/invitation.html", context, status=409)
    if not request.user.is_authenticated:
        login(request, user)
    choose_account(request, invitation.account)
    messages.success(
        request, f"Welcome to {invitation.account.name}: you joined as {membership.get_role_display()}."
    )
    return redirect("accounts:account")
