"""Sudo mode: ask for the password (or an authenticator code) again before a sensitive action.

A log-in, or a password or code typed into the prompt, starts a window of ``SUDO_MODE_SECONDS`` in which
the actions decorated with ``sudo_required`` run unasked. Outside it, the POST that would act gets the
prompt instead, and nothing happens. The prompt carries the interrupted POST's own fields back as hidden
inputs and posts them, with the password, to the same URL: once the password checks out the action runs
with exactly the data first sent, stripped of the password. Nothing is stored on the server between the
two requests, the action is never replayed without the user, and no secret is ever carried (the forms
these actions interrupt hold none; CSRF tokens are fresh). GET pages (confirmations, forms) show as usual.
See docs/sudo-mode.md.
"""

from __future__ import annotations

import time
from functools import wraps

from django import forms
from django.conf import settings
from django.shortcuts import render

from accounts import twofactor
from accounts.throttling import guarded_check, is_throttled

SESSION_KEY = "sudo_at"
PREFIX = "sudo"  # the prompt's fields are sudo-password and sudo-code
NOT_CARRIED = {"csrfmiddlewaretoken"}  # besides the prompt's own fields


def in_sudo_mode(request) -> bool:
    """Return whether the user typed their password (or a code) within SUDO_MODE_SECONDS."""
    started = request.session.get(SESSION_KEY)
    return isinstance(started, int | float) and 0 <= time.time() - started < settings.SUDO_MODE_SECONDS


def start(request) -> None:
    request.session[SESSION_KEY] = time.time()


def on_login(sender, request, user, **kwargs) -> None:
    """A log-in is a fresh authentication: it starts the window (connected in AccountsConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        start(request)


class SudoForm(forms.Form):
    password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = forms.CharField(
        label="Or a code from your authenticator app",
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, request, *args, **kwargs):
        super().__init__(*args, prefix=PREFIX, **kwargs)
        self.request = request
        if not twofactor.has_two_factor(request.user):
            del self.fields["code"]

    def clean(self):
        user, data = self.request.user, self.cleaned_data
        if data.get("code"):
            device = twofactor.device_for(user)  # recovery codes are for log-in only
            passed = guarded_check(
                self.request,
                user.email,
                lambda: twofactor.check_code(user, data["code"], device=device),
                "otp",
            )
            if not passed:
                raise forms.ValidationError("That code is not right, or was already used.", code="invalid")
        elif data.get("password"):
            if not guarded_check(self.request, user.email, lambda: user.check_password(data["password"])):
                raise forms.ValidationError("That password is not right.", code="invalid")
        else:
            raise forms.ValidationError("Type your password to continue.", code="required")
        return data


def _carried(post) -> list[tuple[str, str]]:
    """Return the interrupted POST's fields to send again: all but the CSRF token and the prompt's own."""
    return [
        (name, value)
        for name, values in post.lists()
        if name not in NOT_CARRIED and not name.startswith(f"{PREFIX}-")
        for value in values
    ]


def _prompt(request, form: SudoForm):
    context = {"form": form, "carried": _carried(request.POST), "action": request.get_full_path()}
    return render(request, "accounts/sudo.html", context, status=429 if is_throttled(form) else 200)


def sudo_required(view=None, *, when=None):
    """Ask for the password again before the POST that acts, outside the sudo window.

    ``when(request)``, if given, says whether this POST needs it (a role change to admin, not any role
    change). Put it below the login and role decorators, so that those answer first.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "POST" or (when is not None and not when(request)):
                return view(request, *args, **kwargs)
            if any(name.startswith(f"{PREFIX}-") for name in request.POST):
                request.sensitive_post_parameters = "__ALL__"  # error reports never show the password
                form = SudoForm(request, request.POST)
                if not form.is_valid():
                    return _prompt(request, form)
                start(request)
                request.POST = _without_prompt(request.POST)
            elif not in_sudo_mode(request):
                return _prompt(request, SudoForm(request))
            return view(request, *args, **kwargs)

        wrapper.sudo_required = True
        return wrapper

    return decorator(view) if view is not None else decorator


def _without_prompt(post):
    cleaned = post.copy()
    for name in list(cleaned):
        if name.startswith(f"{PREFIX}-"):
            del cleaned[name]
    cleaned._mutable = False
    return cleaned
