"""Settings > Security (two-factor log-in), the log-in's second step and the password change.

The rules live in accounts/twofactor.py (devices, codes, the pending log-in), accounts/throttling.py
(guessing) and accounts/sudo.py (asking for the password again); these views connect them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import twofactor
from accounts.forms import CodeForm, LoginCodeForm, ThrottledPasswordChangeForm
from accounts.models import RecoveryCode
from accounts.sudo import sudo_required
from accounts.throttling import ThrottledLoginView, is_throttled
from apikeys import mail
from apikeys.http import client_ip


def _notify(request, template: str) -> None:
    """Email the user that their log-in changed, so that a change they did not make does not go unseen."""
    context = {"user": request.user, "when": timezone.now(), "ip": client_ip(request)}
    if not mail.send(f"accounts/email/{template}", [request.user.email], context):
        messages.warning(request, "The email confirming this change could not be sent.")


class LoginView(ThrottledLoginView):
    """The log-in form; a user with an authenticator goes on to the second step instead of in."""

    def form_valid(self, form):
        user = form.get_user()
        if not twofactor.has_two_factor(user):
            return super().form_valid(form)
        twofactor.start_login(self.request, user, self.get_success_url())
        return redirect("login_verify")


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("code")
@never_cache
def login_verify(request):
    """The log-in's second step: a code from the authenticator app, or a recovery code (once)."""
    pending = twofactor.pending_login(request)
    if pending is None:
        messages.info(request, "Log in again: the first step was not completed, or took too long.")
        return redirect("login")
    user, next_url = pending
    form = LoginCodeForm(request.POST or None, request=request, user=user)
    if form.is_valid():
        twofactor.finish_login(request, user)
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    status = 429 if is_throttled(form) else 200
    return render(request, "registration/login_verify.html", {"form": form}, status=status)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change with a throttled old password and an email to the user afterwards."""

    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        response = super().form_valid(form)
        _notify(self.request, "password_changed")
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if is_throttled(form):
            response.status_code = 429
        return response


@login_required
@require_safe
def security(request):
    """Settings > Security: whether two-factor log-in is on, and the buttons to change it."""
    context = {
        "tab": "security",
        "has_two_factor": twofactor.has_two_factor(request.user),
        "recovery_codes_left": RecoveryCode.objects.unused().filter(user=request.user).count(),
    }
    return render(request, "accounts/security.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
@sensitive_post_parameters("code")
def two_factor_setup(request):
    """Show the QR code and the key; a right code turns two-factor log-in on and shows the recovery codes."""
    if twofactor.has_two_factor(request.user):
        messages.info(request, "Two-factor log-in is already on.")
        return redirect("security")
    device = twofactor.unconfirmed_device(request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if twofactor.check_code(request.user, form.cleaned_data["code"], device=device):
            codes = twofactor.enable(request, device)
            _notify(request, "two_factor_enabled")
            return _recovery_codes_page(request, codes, "Two-factor log-in is on.")
        form.add_error(
            "code", "That code is not right: check the time on your phone, and type the newest code."
        )
    context = {
        "tab": "security",
        "form": form,
        "qr_code": twofactor.qr_code_svg(device),
        "manual_key": twofactor.manual_key(device),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@require_POST
@login_required
@sudo_required
def recovery_codes(request):
    """Replace the recovery codes (the old ones stop working) and show the new ones, once."""
    if not twofactor.has_two_factor(request.user):
        return redirect("security")
    codes = RecoveryCode.objects.replace_for(request.user)
    return _recovery_codes_page(request, codes, "New recovery codes: the old ones no longer work.")


@require_POST
@login_required
@sudo_required
def two_factor_disable(request):
    """Turn two-factor log-in off: remove the authenticator and the recovery codes."""
    if twofactor.has_two_factor(request.user):
        twofactor.disable(request.user)
        _notify(request, "two_factor_disabled")
        messages.success(request, "Two-factor log-in is off.")
    return redirect("security")


def _recovery_codes_page(request, codes: list[str], title: str):
    response = render(
        request, "accounts/recovery_codes.html", {"tab": "security", "codes": codes, "title": title}
    )
    response["Cache-Control"] = "no-store"  # shown once: never from a cache or the back button
    return response
