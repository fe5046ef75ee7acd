"""POST /settings/users/invite/: email any address a link to join; the answer never says who has a login."""

import hashlib
import re

import pytest

from accounts.models import AccountEvent, Invitation, Membership
from accounts.roles import Role
from tests.factories import UserFactory

URL = "/settings/users/invite/"


def link_in(message) -> str:
    match = re.search(r"http://testserver(/invitations/[\w-]+/)", message.body)
    assert match, message.body
    return match.group(1)


def snapshot(account):
    """What an invitation may change: members, invitations and events of the account."""
    return (
        sorted(account.memberships.values_list("user__email", "role")),
        sorted(Invitation.objects.filter(account=account).values_list("email", "role", "revoked_at")),
        AccountEvent.objects.filter(account=account).count(),
    )


def test_it_requires_login(client, account):
    response = client.post(URL, {"email": "new@new.test", "role": "analyst"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not Invitation.objects.exists()


def test_it_rejects_get(client, owner):
    client.force_login(owner)
    assert client.get(URL).status_code == 405


def test_it_requires_owner_or_admin(client, account, manager, mailoutbox):
    client.force_login(manager)
    response = client.post(URL, {"email": "new@new.test", "role": "analyst"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_it_invites_into_the_current_account_only(client, account, outsider, other_account):
    client.force_login(outsider)
    client.post(URL, {"email": "new@new.test", "role": "analyst"})
    assert Invitation.objects.get().account == other_account


@pytest.mark.parametrize("inviter", ["owner", "admin"])
def test_it_emails_a_new_address_a_link(client, account, inviter, request, mailoutbox):
    user = request.getfixturevalue(inviter)
    client.force_login(user)
    response = client.post(URL, {"email": "New.Person@Example.TEST", "role": "admin"}, follow=True)
    assert "Invitation sent to new.person@example.test as Admin" in response.content.decode()
    invitation = Invitation.objects.get()
    assert (invitation.account, invitation.email, invitation.role) == (
        account,
        "new.person@example.test",
        "admin",
    )
    assert invitation.invited_by == user
    assert invitation.is_usable
    assert not Membership.objects.filter(user__email__iexact="new.person@example.test").exists()
    [message] = mailoutbox
    assert message.to == ["new.person@example.test"]
    assert account.name in message.subject
    assert "as Admin" in message.body
    assert client.get(link_in(message)).status_code == 403  # the link works, for the invited address only


def test_it_stores_only_a_digest_of_the_token(client, owner, mailoutbox):
    client.force_login(owner)
    client.post(URL, {"email": "new@new.test", "role": "analyst"})
    token = link_in(mailoutbox[0]).rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_digest == hashlib.sha256(token.encode()).hexdigest()
    row = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert token not in str(row)


def test_it_records_the_invitation_with_actor_and_ip(client, account, owner):
    client.force_login(owner)
    client.post(URL, {"email": "new@new.test", "role": "analyst"}, REMOTE_ADDR="198.51.100.7")
    event = AccountEvent.objects.get(account=account)
    assert event.action == AccountEvent.Action.INVITED
    assert (event.actor, event.target_label, event.new_role) == (owner, "new@new.test", "analyst")
    assert event.ip_address == "198.51.100.7"


def test_it_invites_an_existing_login_like_any_other_address(client, account, owner, mailoutbox):
    existing = UserFactory(email="existing@else.test")
    client.force_login(owner)
    client.post(URL, {"email": "EXISTING@else.test", "role": "analyst"})
    assert not Membership.objects.filter(account=account, user=existing).exists()  # not without consent
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.is_usable) == (
        "existing@else.test",
        "analyst",
        True,
    )
    [message] = mailoutbox
    assert message.to == ["existing@else.test"]
    client.force_login(existing)  # they accept, logged in as that address
    client.post(link_in(message))
    assert Membership.objects.get(account=account, user=existing).role == Role.ANALYST
    assert client.get("/settings/users/").status_code == 200


def test_it_answers_the_same_whether_or_not_the_address_has_a_login(client, account, owner, mailoutbox):
    UserFactory(email="known@else.test")
    client.force_login(owner)

    def invite(email):
        """Invite ``email`` from the same starting state; return what the inviter sees and what is kept."""
        Invitation.objects.all().delete()
        AccountEvent.objects.all().delete()
        response = client.post(URL, {"email": email, "role": "analyst"}, follow=True)
        page = response.content.decode().replace(email, "EMAIL")
        # What differs by nature: the invitation's own id, the CSRF token, the times to the microsecond.
        page = re.sub(r'value="[\w-]{30,}"|/[\w-]{36}/|<time [^>]*>', "", page)
        events = list(AccountEvent.objects.values_list("action", "target_user", "target_label"))
        return (
            response.redirect_chain,
            page,
            [(a, u, label.replace(email, "EMAIL")) for a, u, label in events],
        )

    known, unknown = invite("known@else.test"), invite("unknown@else.test")
    assert known == unknown
    assert "Invitation sent to EMAIL as Analyst" in known[1]
    first, second = (m.body.replace(m.to[0], "EMAIL").split("http")[0] for m in mailoutbox)
    assert first == second


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"email": "not-an-email", "role": "analyst"}, "Enter a valid email address."),
        ({"email": "", "role": "analyst"}, "This field is required."),
        ({"email": "new@new.test", "role": "superuser"}, "Choose one of the listed roles."),
        ({"email": "new@new.test", "role": "owner"}, "Choose one of the listed roles."),
        ({"email": "new@new.test"}, "This field is required."),
        (
            {"email": "MANAGER@acme.test", "role": "admin"},
            "manager@acme.test is already a member of this account.",
        ),
        (
            {"email": "owner@acme.test", "role": "admin"},
            "owner@acme.test is already a member of this account.",
        ),
    ],
)
def test_it_shows_form_errors_and_changes_nothing(
    client, account, owner, admin, manager, data, error, mailoutbox
):
    client.force_login(admin)
    before = snapshot(account)
    response = client.post(URL, data)
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    assert error in page
    assert 'class="field field-error"' in page
    assert snapshot(account) == before
    assert mailoutbox == []


def test_it_refuses_inviting_an_address_with_a_pending_invitation(client, account, owner, mailoutbox):
    client.force_login(owner)
    client.post(URL, {"email": "new@new.test", "role": "analyst"})
    before = snapshot(account)
    response = client.post(URL, {"email": "New@new.test", "role": "admin"})
    assert "new@new.test has already been invited: resend the invitation" in response.content.decode()
    assert snapshot(account) == before
    assert len(mailoutbox) == 1


def test_it_lets_a_revoked_address_be_invited_again(client, account, owner):
    client.force_login(owner)
    client.post(URL, {"email": "new@new.test", "role": "analyst"})
    Invitation.objects.get().revoke(by=owner.memberships.get())
    client.post(URL, {"email": "new@new.test", "role": "manager"})
    assert Invitation.objects.pending().get().role == "manager"


def test_it_keeps_the_form_values_after_an_error(client, owner):
    client.force_login(owner)
    page = client.post(URL, {"email": "owner@acme.test", "role": "support"}).content.decode()
    assert 'value="owner@acme.test"' in page
    assert '<option value="support" selected>' in page


def test_it_says_so_when_the_email_cannot_be_sent(client, account, owner, settings, monkeypatch):
    def fail(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("apikeys.mail.send_mail", fail)
    client.force_login(owner)
    response = client.post(URL, {"email": "new@new.test", "role": "analyst"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The email to new@new.test could not be sent. Try again with Resend." in page
    assert Invitation.objects.get().is_usable
