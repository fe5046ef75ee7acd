"""Settings > Security: the state of two-factor log-in; turning it off; new recovery codes."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode
from tests.factories import TOTPDeviceFactory, login_with_two_factor


@pytest.fixture
def enrolled(client, owner):
    """The owner, with an authenticator and recovery codes, logged in with a code."""
    login_with_two_factor(client, owner)
    RecoveryCode.objects.replace_for(owner)
    return owner


def test_it_offers_to_set_up_two_factor_log_in(client, owner):
    client.force_login(owner)
    response = client.get("/security/")
    assert "Set up two-factor log-in" in response.text
    assert '<a href="/security/" aria-current="page">Security</a>' in response.text


def test_it_says_how_many_recovery_codes_are_left(client, enrolled):
    RecoveryCode.objects.use(enrolled, "not-a-code")  # nothing used
    response = client.get("/security/")
    assert "10 of your recovery codes are left" in response.text
    assert "Turn off two-factor log-in" in response.text


def test_it_opens_for_staff_who_belong_to_no_account(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    assert client.get("/security/").status_code == 200


def test_it_turns_two_factor_off_and_says_so_by_email(client, enrolled):
    response = client.post("/security/two-factor/disable/")
    assert response.status_code == 302 and response["Location"] == "/security/"
    assert not TOTPDevice.objects.filter(user=enrolled).exists()
    assert not RecoveryCode.objects.filter(user=enrolled).exists()
    assert [message.subject for message in mail.outbox] == [
        "Two-factor log-in was turned off for your Keyward login"
    ]


def test_it_gives_new_recovery_codes_and_voids_the_old(client, enrolled):
    old = set(RecoveryCode.objects.filter(user=enrolled).values_list("digest", flat=True))
    response = client.post("/security/recovery-codes/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert len(re.findall(r"<li><code>[0-9a-f-]{23}</code></li>", response.text)) == 10
    new = set(RecoveryCode.objects.filter(user=enrolled).values_list("digest", flat=True))
    assert len(new) == 10 and not old & new


def test_it_keeps_another_users_device(client, enrolled, admin):
    theirs = TOTPDeviceFactory(user=admin)
    client.post("/security/two-factor/disable/")
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()
