"""Slow down, then refuse, password and code guessing: log-in, its second step, password change, sudo.

Attempts are counted in the cache per email (or user) and per client address; past half a limit each waits
longer, at the limit all are refused. Each attempt reserves its place before the check, so a burst gets no
more than the limit checked. Design: docs/login-throttling.md.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from contextlib import contextmanager, suppress

from django import forms
from django.conf import settings
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


class Throttled(Exception):
    """An attempt was refused before anything was checked; ``seconds`` says how long to wait."""

    def __init__(self, seconds: int):
        super().__init__(wait_message(seconds))
        self.seconds = seconds


class LoginGuard:
    """The counters of one attempt: its client address and, when known, its email address.

    ``kind`` separates what is guessed: "email" for passwords (log-in, password change and sudo share them),
    "otp" for the log-in's second step.
    """

    def __init__(self, request, email: str | None, kind: str = "email"):
        ip = client_ip(request)
        self.counters = [(_key("ip", ip), settings.LOGIN_IP_FAILURE_LIMIT)] if ip else []
        if email:
            self.counters.append((_key(kind, email.strip().lower()), settings.LOGIN_FAILURE_LIMIT))

    def wait_seconds(self) -> int:
        """Return how long until the next attempt is allowed (0: now)."""
        names = [f"{key}:until" for key, _ in self.counters]
        waits = cachesafe.call("login throttle", {}, cache.get_many, names).values()
        return max((math.ceil(until - time.time()) for until in waits), default=0)

    @contextmanager
    def attempt(self):
        """Reserve a place for one check, or raise Throttled; the block calls ``failed()`` on a wrong guess.

        On leaving the block a failed attempt keeps its place (and may start a slow-down or the lockout); any
        other outcome gives the place back, and a success also clears the email's counters.
        """
        wait = self.wait_seconds()
        if wait > 0:
            raise Throttled(wait)
        reserved = self._reserve()
        outcome = _Outcome()
        try:
            yield outcome
        finally:
            if outcome.is_failure:
                self._slow_down(reserved)
            else:
                self._give_back()
                if outcome.is_success:
                    self._clear_email()

    def _reserve(self) -> list[int]:
        counts = []
        for key, limit in self.counters:
            cachesafe.call("login throttle", False, cache.add, key, 0, settings.LOGIN_LOCKOUT_SECONDS)
            try:
                count = cachesafe.call("login throttle", 0, cache.incr, key)
            except ValueError:  # expired between add and incr
                cachesafe.call("login throttle", False, cache.add, key, 1, settings.LOGIN_LOCKOUT_SECONDS)
                count = 1
            counts.append(count)
            if count > limit:
                for taken, _ in self.counters[: len(counts)]:
                    _decrement(taken)
                raise Throttled(self.wait_seconds() or settings.LOGIN_LOCKOUT_SECONDS)
        return counts

    def _slow_down(self, counts: list[int]) -> None:
        now = time.time()
        for (key, limit), failures in zip(self.counters, counts, strict=True):
            wait = settings.LOGIN_LOCKOUT_SECONDS if failures >= limit else delay_after(failures, limit)
            if wait:
                cachesafe.call("login throttle", None, cache.set, f"{key}:until", now + wait, wait)

    def _give_back(self) -> None:
        for key, _ in self.counters:
            _decrement(key)

    def _clear_email(self) -> None:
        email_counters = [key for key, _ in self.counters if not key.startswith("login-throttle:ip:")]
        names = email_counters + [f"{key}:until" for key in email_counters]
        cachesafe.call("login throttle", None, cache.delete_many, names)


class _Outcome:
    is_failure = False
    is_success = False

    def failed(self) -> None:
        self.is_failure = True

    def succeeded(self) -> None:
        self.is_success = True


def _decrement(key: str) -> None:
    with suppress(ValueError):  # expired, or cleared by a success meanwhile: nothing to give back
        cachesafe.call("login throttle", None, cache.decr, key)


def wait_message(seconds: int) -> str:
    amount, unit = (math.ceil(seconds / 60), "minute") if seconds >= 120 else (seconds, "second")
    plural = "" if amount == 1 else "s"
    return f"Too many failed log-in attempts. Please wait {amount} {unit}{plural} and try again."


class ThrottleMixin:
    """For Django's login forms: reserve an attempt before the password is checked (see ``LoginGuard``)."""

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        guard = LoginGuard(self.request, username)
        if not (username and password):  # nothing will be checked: only refuse while throttled
            wait = guard.wait_seconds()
            if wait > 0:
                raise forms.ValidationError(wait_message(wait), code="throttled")
            return super().clean()
        try:
            with guard.attempt() as attempt:
                try:
                    cleaned_data = super().clean()
                except forms.ValidationError as error:
                    if error.code == "invalid_login":
                        attempt.failed()
                    raise
                attempt.succeeded()
        except Throttled as refusal:
            raise forms.ValidationError(str(refusal), code="throttled") from None
        return cleaned_data


class ThrottledAuthenticationForm(ThrottleMixin, AuthenticationForm):
    """The login page's form."""


class ThrottledLoginView(LoginView):
    """Django's login view with the throttled form; a refused attempt answers 429."""

    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if is_throttled(form):
            response.status_code = 429
        return response


def guarded_check(request, identity: str, check: Callable[[], bool], kind: str = "email") -> bool:
    """Run ``check`` (a password or code check) inside a reserved attempt; return what it says.

    Raise a ValidationError with code "throttled" when the attempt is refused unchecked.
    """
    try:
        with LoginGuard(request, identity, kind).attempt() as attempt:
            passed = check()
            if passed:
                attempt.succeeded()
            else:
                attempt.failed()
            return passed
    except Throttled as refusal:
        raise forms.ValidationError(str(refusal), code="throttled") from None


def is_throttled(form) -> bool:
    return form.has_error(NON_FIELD_ERRORS, code="throttled") or any(
        error.code == "throttled" for errors in form.errors.as_data().values() for error in errors
    )
