"""POST /settings/users/invitations/<public_id>/resend/ and /revoke/."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AccountEvent, Invitation, Membership


@pytest.fixture
def invitation(account, owner):
    """A pending invitation of Acme, sent by its owner; its first link is in ``invitation.link``."""
    invitation, token = Invitation.objects.issue(
        account, "new@new.test", "analyst", by=owner.memberships.get()
    )
    invitation.link = f"/invitations/{token}/"
    AccountEvent.objects.all().delete()
    return invitation


def resend_url(invitation) -> str:
    return f"/settings/users/invitations/{invitation.public_id}/resend/"


def revoke_url(invitation) -> str:
    return f"/settings/users/invitations/{invitation.public_id}/revoke/"


def link_in(message) -> str:
    return re.search(r"http://testserver(/invitations/[\w-]+/)", message.body).group(1)


def test_it_resends_a_new_link_and_kills_the_old_one(client, account, admin, invitation, mailoutbox):
    client.force_login(admin)
    response = client.post(resend_url(invitation), REMOTE_ADDR="192.0.2.3", follow=True)
    assert "A new invitation link was sent to new@new.test." in response.content.decode()
    [message] = mailoutbox
    assert message.to == ["new@new.test"]
    new_link = link_in(message)
    assert new_link != invitation.link
    client.logout()
    assert client.get(invitation.link).status_code == 404
    assert client.get(new_link).status_code == 200
    event = AccountEvent.objects.get()
    assert (event.action, event.actor, event.target_label, event.ip_address) == (
        "invitation_resent",
        admin,
        "new@new.test",
        "192.0.2.3",
    )


def test_it_gives_an_expired_invitation_another_seven_days(client, owner, invitation, mailoutbox):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    client.force_login(owner)
    client.post(resend_url(invitation))
    invitation.refresh_from_db()
    assert invitation.is_usable
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    client.logout()
    assert client.get(link_in(mailoutbox[0])).status_code == 200


def test_it_revokes_an_invitation(client, account, owner, invitation):
    client.force_login(owner)
    response = client.post(revoke_url(invitation), follow=True)
    page = response.content.decode()
    assert "The invitation to new@new.test was revoked." in page
    assert "new@new.test</td>" not in page  # no longer pending
    client.logout()
    response = client.get(invitation.link)
    assert response.status_code == 410
    assert "This invitation was revoked." in response.content.decode()
    assert AccountEvent.objects.get().action == "invitation_revoked"


@pytest.mark.parametrize(
    ("url", "message"), [(resend_url, "invite again instead"), (revoke_url, "already revoked")]
)
def test_it_refuses_a_revoked_invitation(client, owner, invitation, url, message, mailoutbox):
    invitation.revoke(by=owner.memberships.get())
    AccountEvent.objects.all().delete()
    client.force_login(owner)
    response = client.post(url(invitation), follow=True)
    assert message in response.content.decode()
    assert not AccountEvent.objects.exists()
    assert mailoutbox == []


def test_it_refuses_an_accepted_invitation(client, account, owner, invitation, mailoutbox):
    client.post(
        invitation.link, {"new_password1": "a-long-enough-pass", "new_password2": "a-long-enough-pass"}
    )
    assert Membership.objects.filter(user__email="new@new.test").exists()
    client.force_login(owner)
    response = client.post(resend_url(invitation), follow=True)
    assert "This invitation was accepted: invite again instead." in response.content.decode()
    assert mailoutbox == []
