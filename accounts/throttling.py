"""Slow down, then refuse, password guessing at the login form.

Failed log-ins are counted per email address and per client address in Django's cache, over
``LOGIN_LOCKOUT_SECONDS``. Past half of a limit each further attempt must wait a little longer (1, 2, 4 …
seconds, at most a minute); at the limit (``LOGIN_FAILURE_LIMIT`` per email, ``LOGIN_IP_FAILURE_LIMIT`` per
address) log-in is refused for ``LOGIN_LOCKOUT_SECONDS``, even with the right password, and without hashing
anything. The message says how long to wait.

A small cache-based guard rather than django-axes: no models, migrations or admin screens to carry, it works
the same with the local-memory cache and with Redis (``CACHE_URL``), and the whole policy fits in this file.
The counters use ``cache.incr``, which is atomic in Redis, so parallel guesses cannot slip past a limit.

Failures count whether or not the email belongs to a user, so the messages never tell which addresses exist.
A successful log-in clears its email's counters but not its address's: otherwise an attacker could reset
the address limit by logging in to an account of their own between guesses.

While the cache is unreachable the guard fails open: nothing is counted and nobody waits, so log-in keeps
working (``apikeys.cachesafe`` logs the outage once a minute). SECURITY.md says why.
"""

from __future__ import annotations

import hashlib
import math
import time

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS

from apikeys import cachesafe
from apikeys.http import client_ip

MAX_DELAY = 60  # seconds between attempts while slowed down


def delay_after(failures: int, limit: int) -> int:
    """Return how many seconds the next attempt must wait after ``failures`` (0: not slowed yet)."""
    slow_from = limit // 2
    if failures < max(slow_from, 1):
        return 0
    return min(2 ** (failures - slow_from), MAX_DELAY)


def _key(kind: str, value: str) -> str:
    # Hashed: cache keys stay short and safe for any backend, and the cache holds no email addresses.
    return f"login-throttle:{kind}:" + hashlib.sha256(value.encode()).hexdigest()[:32]


class LoginGuard:
    """The failure counters of one log-in attempt: its email address and its client address."""

    def __init__(self, request, email: str | None):
        ip = client_ip(request)  # None: unknown (apikeys/http.py), and never one bucket for every client
        self.counters = [(_key("ip", ip), settings.LOGIN_IP_FAILURE_LIMIT)] if ip else []
        if email:
            self.counters.append((_key("email", email.strip().lower()), settings.LOGIN_FAILURE_LIMIT))

    def wait_seconds(self) -> int:
        """Return how long until the next attempt is allowed (0: now)."""
        names = [f"{key}:until" for key, _ in self.counters]
        waits = cachesafe.call("login throttle", {}, cache.get_many, names).values()
        return max((math.ceil(until - time.time()) for until in waits), default=0)

    def record_failure(self) -> None:
        now = time.time()
        for key, limit in self.counters:
            cachesafe.call("login throttle", False, cache.add, key, 0, settings.LOGIN_LOCKOUT_SECONDS)
            try:
                failures = cachesafe.call("login throttle", 0, cache.incr, key)
            except ValueError:  # expired between add and incr
                failures = 1
                cachesafe.call(
                    "login throttle", None, cache.set, key, failures, settings.LOGIN_LOCKOUT_SECONDS
                )
            wait = settings.LOGIN_LOCKOUT_SECONDS if failures >= limit else delay_after(failures, limit)
            if wait:
                cachesafe.call("login throttle", None, cache.set, f"{key}:until", now + wait, wait)

    def record_success(self) -> None:
        email_counters = [key for key, _ in self.counters if key.startswith("login-throttle:email:")]
        names = email_counters + [f"{key}:until" for key in email_counters]
        cachesafe.call("login throttle", None, cache.delete_many, names)


def wait_message(seconds: int) -> str:
    amount, unit = (math.ceil(seconds / 60), "minute") if seconds >= 120 else (seconds, "second")
    plural = "" if amount == 1 else "s"
    return f"Too many failed log-in attempts. Please wait {amount} {unit}{plural} and try again."


class ThrottleMixin:
    """For Django's login forms: refuse attempts while their email or address must wait."""

    def clean(self):
        guard = LoginGuard(self.request, self.cleaned_data.get("username"))
        wait = guard.wait_seconds()
        if wait > 0:
            raise forms.ValidationError(wait_message(wait), code="throttled")
        try:
            cleaned_data = super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                guard.record_failure()
            raise
        if self.user_cache is not None:  # not for a form that only lacked its password
            guard.record_success()
        return cleaned_data


class ThrottledAuthenticationForm(ThrottleMixin, AuthenticationForm):
    """The login page's form."""


class ThrottledAdminAuthenticationForm(ThrottleMixin, AdminAuthenticationForm):
    """The admin's own login form, so that /admin/login/ is no way around the limits."""


class ThrottledLoginView(LoginView):
    """Django's login view with the throttled form; a refused attempt answers 429."""

    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="throttled"):
            response.status_code = 429
        return response
