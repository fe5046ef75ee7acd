"""Staff need a session verified with a second factor to use the admin."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TOTPDeviceFactory, login_with_two_factor


def test_it_lets_staff_in_with_a_verified_session(client, support):
    login_with_two_factor(client, support)
    assert client.get("/admin/").status_code == 200


def test_it_asks_staff_without_two_factor_to_set_it_up(client, support):
    client.force_login(support)
    response = client.get("/admin/apikeys/privatekey/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 403
    assert "Support staff need two-factor log-in to use the admin." in response.text
    assert 'href="/security/two-factor/"' in response.text


def test_it_asks_staff_with_two_factor_to_log_in_with_the_code(client, support):
    TOTPDeviceFactory(user=support)
    client.force_login(support)  # a session that never passed the second step
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 403 and "log in again with your code" in response.text


def test_it_tells_a_member_the_admin_is_not_for_them(client, owner):
    client.force_login(owner)
    response = client.get("/admin/login/")
    assert response.status_code == 403 and "not a support staff login" in response.text


def test_it_shows_no_authenticator_keys_in_the_admin(client, superuser):
    login_with_two_factor(client, superuser)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_it_lets_a_superuser_turn_off_a_users_two_factor_log_in(client, superuser, owner, mailoutbox):
    TOTPDeviceFactory(user=owner)
    login_with_two_factor(client, superuser)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "turn_off_two_factor", "_selected_action": [owner.pk]},
        follow=True,
    )
    assert "Two-factor log-in turned off for owner@acme.test." in response.text
    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert [message.to for message in mailoutbox] == [[owner.email]]


def test_it_does_not_offer_support_staff_to_turn_it_off(client, support, owner):
    TOTPDeviceFactory(user=owner)
    login_with_two_factor(client, support)
    client.post("/admin/accounts/user/", {"action": "turn_off_two_factor", "_selected_action": [owner.pk]})
    assert TOTPDevice.objects.filter(user=owner).exists()
