"""Two-factor log-in: an authenticator app (TOTP, django-otp) and ten single-use recovery codes.

The password step only remembers who passed it; the second step (``accounts.security.login_verify``) logs
the user in once a code checks out, and django-otp marks the session verified. Recovery codes are stored as
digests. Design: docs/decisions/two-factor-log-in.md.
"""

from __future__ import annotations

import time
from base64 import b32encode

import django_otp
import segno
from django.contrib.auth import get_user_model, login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode, User

PENDING_SECONDS = 5 * 60  # between the password and the code
PENDING_SESSION_KEY = "two_factor_pending"
DEVICE_NAME = "Authenticator app"


def device_for(user) -> TOTPDevice | None:
    """Return the user's confirmed authenticator, or None."""
    if not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def has_two_factor(user) -> bool:
    return device_for(user) is not None


def is_verified(request) -> bool:
    """Return whether this session logged in (or enrolled) with a second factor."""
    return bool(getattr(request.user, "is_verified", lambda: False)())


def unconfirmed_device(user) -> TOTPDevice:
    """Return the authenticator being set up (a fresh key the first time), not yet used to log in."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_code_svg(device: TOTPDevice) -> str:
    """Return the device's otpauth:// URL as an inline SVG QR code, drawn here (nothing is fetched)."""
    return segno.make(device.config_url, micro=False).svg_inline(
        scale=5, border=2, title="QR code for your authenticator app", svgclass="qr-code"
    )


def manual_key(device: TOTPDevice) -> str:
    """Return the key as base32 in groups of four, for typing into an app by hand."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def check_code(user, code: str, *, device: TOTPDevice | None = None) -> bool:
    """Return whether ``code`` is a current authenticator code of ``device`` (the user's confirmed one by
    default) or, for a confirmed device only, one of the user's unused recovery codes (then used up)."""
    code = "".join((code or "").split())
    target = device or device_for(user)
    if target is None or not code:
        return False
    if code.isdigit() and len(code) == target.digits:
        # Under a row lock (django-otp), so one code logs in once even when sent twice at the same moment.
        return django_otp.verify_token(user, target.persistent_id, code) is not None
    return device is None and RecoveryCode.objects.use(user, code)


def enable(request, device: TOTPDevice) -> list[str]:
    """Confirm the device being set up, mark this session verified, return fresh recovery codes (once)."""
    TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    django_otp.login(request, device)
    return RecoveryCode.objects.replace_for(request.user)


def disable(user) -> None:
    """Remove the user's authenticators and recovery codes."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()


# The log-in's second step -----------------------------------------------------------------------------------


def start_login(request, user, next_url: str) -> None:
    """Remember that ``user`` passed the password step; nothing logs them in yet."""
    request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "at": time.time(),
        "next": next_url,
    }


def pending_login(request) -> tuple[User, str] | None:
    """Return ``(user, next_url)`` of a password step passed within PENDING_SECONDS, or None."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None:
        return None
    user.backend = pending["backend"]
    return user, pending.get("next", "")


def finish_login(request, user) -> None:
    """Log the user in after their code checked out, with the session marked as verified."""
    request.session.pop(PENDING_SESSION_KEY, None)
    login(request, user, backend=user.backend)
    django_otp.login(request, device_for(user))
