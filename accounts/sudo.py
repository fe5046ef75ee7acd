"""Sudo mode: ask for the password (or an authenticator code) again before a sensitive action.

A log-in or a confirmed prompt starts a window of ``SUDO_MODE_SECONDS``. Outside it, the POST that would act
gets the prompt instead; its fields wait in the session, and it runs once, with the data first sent, when
the password checks out. GET pages show as usual. Design: docs/sudo-mode.md.
"""

from __future__ import annotations

import time
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render

from accounts import twofactor
from accounts.throttling import guarded_check, is_throttled

SESSION_KEY = "sudo_at"
PENDING_KEY = "sudo_pending"  # the interrupted POST: its URL, its fields, when
PENDING_SECONDS = 10 * 60  # how long an interrupted action waits for the password
PREFIX = "sudo"  # the prompt's fields are sudo-password and sudo-code
NOT_KEPT = {"csrfmiddlewaretoken"}  # besides the prompt's own fields


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


def _kept(post) -> list[list[str]]:
    """Return the interrupted POST's fields to keep: all but the CSRF token and the prompt's own."""
    return [
        [name, value]
        for name, values in post.lists()
        if name not in NOT_KEPT and not name.startswith(f"{PREFIX}-")
        for value in values
    ]


def _interrupt(request):
    request.session[PENDING_KEY] = {"path": request.path, "post": _kept(request.POST), "at": time.time()}
    return _prompt(request, SudoForm(request))


def _resume(request) -> QueryDict | None:
    """Return the POST this prompt interrupted, once; None if there is none for this URL, or it is too old."""
    pending = request.session.pop(PENDING_KEY, None)
    if not isinstance(pending, dict) or pending.get("path") != request.path:
        return None
    if not 0 <= time.time() - pending.get("at", 0) < PENDING_SECONDS:
        return None
    post = QueryDict(mutable=True)
    for name, value in pending.get("post", []):
        post.appendlist(name, value)
    post._mutable = False
    return post


def _prompt(request, form: SudoForm):
    context = {"form": form, "action": request.get_full_path()}
    return render(request, "accounts/sudo.html", context, status=429 if is_throttled(form) else 200)


def sudo_required(view=None, *, when=None):
    """Ask for the password again before the POST that acts, outside the sudo window.

    ``when(request)``, if given, says whether this POST needs it (a role change to admin, not any role
    change). Put it below the login and role decorators, so that those answer first.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "POST":
                return view(request, *args, **kwargs)
            if any(name.startswith(f"{PREFIX}-") for name in request.POST):  # the prompt, answered
                request.sensitive_post_parameters = "__ALL__"  # error reports never show the password
                form = SudoForm(request, request.POST)
                if not form.is_valid():
                    return _prompt(request, form)
                start(request)
                interrupted = _resume(request)
                if interrupted is None:
                    messages.info(request, "Confirmed. The action waited too long: please do it again.")
                    return redirect(settings.LOGIN_REDIRECT_URL)
                request.POST = interrupted
            elif (when is None or when(request)) and not in_sudo_mode(request):
                return _interrupt(request)
            return view(request, *args, **kwargs)

        wrapper.sudo_required = True
        return wrapper

    return decorator(view) if view is not None else decorator
