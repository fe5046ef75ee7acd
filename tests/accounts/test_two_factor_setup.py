"""Settings > Security > Set up two-factor log-in: QR code and key, a code check, recovery codes once."""

from __future__ import annotations

import re
from base64 import b32decode

from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode, recovery_code_digest
from tests.factories import totp_now

URL = "/security/two-factor/"


def shown_key(response) -> bytes:
    key = re.search(r"<code class=\"manual-key\" data-manual-key>([A-Z2-7 ]+)</code>", response.text).group(1)
    return b32decode(key.replace(" ", "") + "=" * (-len(key.replace(" ", "")) % 8))


def test_it_shows_a_qr_code_drawn_here_and_the_key_as_text(client, owner):
    client.force_login(owner)
    response = client.get(URL)
    assert response.status_code == 200
    assert re.search(r'<svg width="\d+" height="\d+" class="qr-code">', response.text)  # no image fetched
    device = TOTPDevice.objects.get(user=owner, confirmed=False)
    assert shown_key(response) == device.bin_key
    assert response["Cache-Control"].startswith("max-age=0")  # never_cache


def test_it_keeps_the_same_key_until_it_is_confirmed(client, owner):
    client.force_login(owner)
    first, second = shown_key(client.get(URL)), shown_key(client.get(URL))
    assert first == second
    assert TOTPDevice.objects.filter(user=owner).count() == 1


def test_it_turns_two_factor_on_with_a_right_code(client, owner):
    client.force_login(owner)
    client.get(URL)
    device = TOTPDevice.objects.get(user=owner)
    response = client.post(URL, {"code": totp_now(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    codes = re.findall(r"<li><code>([0-9a-f-]{23})</code></li>", response.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(RecoveryCode.objects.filter(user=owner).values_list("digest", flat=True))
    assert stored == {recovery_code_digest(code) for code in codes}  # digests only, never the codes
    assert [message.subject for message in mail.outbox] == [
        "Two-factor log-in was turned on for your Keyward login"
    ]
    assert mail.outbox[0].to == [owner.email]


def test_it_marks_the_session_that_enrolled_as_verified(client, owner):
    client.force_login(owner)
    client.get(URL)
    client.post(URL, {"code": totp_now(TOTPDevice.objects.get(user=owner))})
    assert client.session["otp_device_id"] == TOTPDevice.objects.get(user=owner).persistent_id


def test_it_refuses_a_wrong_code_and_stays_off(client, owner):
    client.force_login(owner)
    client.get(URL)
    device = TOTPDevice.objects.get(user=owner)
    wrong = f"{(int(totp_now(device)) + 1) % 1_000_000:06d}"
    response = client.post(URL, {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.text
    device.refresh_from_db()
    assert not device.confirmed
    assert not RecoveryCode.objects.exists() and mail.outbox == []


def test_it_sends_a_user_who_has_it_on_back_to_security(client, owner):
    client.force_login(owner)
    client.get(URL)
    client.post(URL, {"code": totp_now(TOTPDevice.objects.get(user=owner))})
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"] == "/security/"
