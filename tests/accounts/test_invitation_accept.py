"""/invitations/<token>/: the link in the email; single-use, expiring, for its address only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.decorators import SESSION_ACCOUNT_KEY
from accounts.models import AccountEvent, Invitation, Membership, User
from accounts.roles import Role
from apikeys import scopes
from apikeys.models import PrivateKey
from tests.factories import MembershipFactory, UserFactory

PASSWORD = {
    "name": "Nina New",
    "new_password1": "plum-kettle-orbit-42",
    "new_password2": "plum-kettle-orbit-42",
}


@pytest.fixture
def invite(account, owner):
    """Invite an address into Acme as analyst; return ``(invitation, link)``."""

    def make(email="new@new.test", role=Role.ANALYST):
        invitation, token = Invitation.objects.issue(account, email, role, by=owner.memberships.get())
        return invitation, f"/invitations/{token}/"

    return make


def state():
    """Everything accepting may change."""
    return (
        sorted(Membership.objects.values_list("user__email", "account__name", "role")),
        User.objects.count(),
        sorted(Invitation.objects.values_list("email", "accepted_at")),
        AccountEvent.objects.filter(action="invitation_accepted").count(),
    )


def test_it_shows_the_invitation_and_a_password_form(client, invite):
    _, link = invite()
    response = client.get(link)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Join Acme" in page
    assert "new@new.test" in page
    assert "Analyst</span>" in page
    assert 'name="new_password1"' in page
    assert "expires in 6\xa0days" in page or "expires in 7\xa0days" in page


def test_it_creates_the_login_joins_and_logs_in(client, account, invite):
    invitation, link = invite(role=Role.ADMIN)
    response = client.post(link, PASSWORD, REMOTE_ADDR="192.0.2.77", follow=True)
    user = User.objects.get(email="new@new.test")
    assert user.name == "Nina New"
    assert user.check_password("plum-kettle-orbit-42")
    assert Membership.objects.get(user=user).account == account
    assert Membership.objects.get(user=user).role == Role.ADMIN
    assert "Welcome to Acme: you joined as Admin." in response.content.decode()
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session[SESSION_ACCOUNT_KEY] == account.public_key
    assert client.get("/settings/api-keys/").status_code == 200
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    event = AccountEvent.objects.get(action="invitation_accepted")
    assert (event.actor, event.target_user, event.new_role, event.ip_address) == (
        user,
        user,
        "admin",
        "192.0.2.77",
    )


def test_it_works_only_once(client, invite):
    _, link = invite()
    client.post(link, PASSWORD)
    client.logout()
    before = state()
    response = client.get(link)
    assert response.status_code == 410
    assert "This invitation has already been used. Log in to continue." in response.content.decode()
    assert client.post(link, PASSWORD).status_code == 410
    assert state() == before


def test_it_refuses_an_expired_invitation(client, invite):
    invitation, link = invite()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    before = state()
    response = client.get(link)
    page = response.content.decode()
    assert response.status_code == 410
    assert "This invitation has expired. Ask" in page
    assert "to resend it." in page
    assert client.post(link, PASSWORD).status_code == 410
    assert state() == before


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token[:-2],
        lambda token: token + "x",
        lambda token: "x" * 300,
        lambda token: "not-a-token",
    ],
)
def test_it_refuses_a_tampered_token(client, invite, tamper):
    _, link = invite()
    token = link.rstrip("/").rsplit("/", 1)[1]
    bad_link = f"/invitations/{tamper(token)}/"
    before = state()
    response = client.get(bad_link)
    assert response.status_code == 404
    assert "This invitation link is not valid." in response.content.decode()
    assert client.post(bad_link, PASSWORD).status_code == 404
    assert state() == before


def test_it_refuses_a_revoked_invitation(client, owner, invite):
    invitation, link = invite()
    invitation.revoke(by=owner.memberships.get())
    assert client.get(link).status_code == 410
    assert client.post(link, PASSWORD).status_code == 410
    assert not User.objects.filter(email="new@new.test").exists()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"new_password1": "plum-kettle-orbit-42", "new_password2": "plum-kettle-orbit-43"}, "didn’t match"),
        ({"new_password1": "short", "new_password2": "short"}, "too short"),
        ({"new_password1": "password123", "new_password2": "password123"}, "too common"),
        ({"new_password1": "", "new_password2": ""}, "This field is required."),
    ],
)
def test_it_shows_password_errors_and_changes_nothing(client, invite, data, error):
    invitation, link = invite()
    before = state()
    response = client.post(link, data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert state() == before
    invitation.refresh_from_db()
    assert invitation.is_usable


def test_it_refuses_a_user_logged_in_as_someone_else(client, account, invite, manager):
    _, link = invite()
    client.force_login(manager)
    before = state()
    for response in (client.get(link), client.post(link, PASSWORD)):
        page = response.content.decode()
        assert response.status_code == 403
        assert "This invitation is for new@new.test, but you are logged in as manager@acme.test." in page
        assert "Log out</button>" in page
    assert state() == before


def test_it_asks_an_existing_login_to_log_in_first(client, invite):
    UserFactory(email="new@new.test")
    _, link = invite()
    before = state()
    response = client.get(link)
    page = response.content.decode()
    assert response.status_code == 200
    assert "new@new.test already has a Keyward login." in page
    assert f'href="/login/?next={link.replace("/", "%2F")}"' in page
    assert 'name="new_password1"' not in page
    assert client.post(link, PASSWORD).status_code == 200
    assert state() == before


def test_it_lets_the_invited_login_join_with_one_click(client, account, invite, other_account):
    existing = MembershipFactory(account=other_account, user__email="new@new.test").user
    invitation, link = invite(role=Role.MANAGER)
    client.force_login(existing)
    page = client.get(link).content.decode()
    assert "Join Acme</button>" in page
    response = client.post(link, follow=True)
    assert "Welcome to Acme: you joined as Manager." in response.content.decode()
    assert existing.memberships.get(account=account).role == Role.MANAGER
    assert client.session[SESSION_ACCOUNT_KEY] == account.public_key
    invitation.refresh_from_db()
    assert invitation.accepted_by == existing


def test_it_refuses_someone_who_is_already_a_member(client, account, owner, invite):
    invitation, link = invite(email="late@new.test")
    late = MembershipFactory(account=account, user__email="late@new.test", analyst=True).user
    client.force_login(late)
    response = client.post(link)
    assert response.status_code == 409
    assert "You are already a member of Acme." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.is_usable


def test_it_refuses_when_the_address_got_a_login_meanwhile(client, invite):
    _, link = invite()
    form_page = client.get(link)
    assert 'name="new_password1"' in form_page.content.decode()
    UserFactory(email="NEW@new.test")
    response = client.post(link, PASSWORD)
    assert response.status_code == 200
    assert "already has a Keyward login" in response.content.decode()
    assert User.objects.filter(email__iexact="new@new.test").count() == 1


def test_it_welcomes_a_new_admin_without_the_expiring_keys_banner(client, account, owner, invite):
    PrivateKey.objects.issue(
        account, "Soon", scopes.READ_ONLY, owner, expires_at=timezone.now() + timedelta(days=3)
    )
    _, link = invite(role=Role.ADMIN)
    response = client.post(link, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/settings/welcome/"
    page = client.get(response["Location"]).content.decode()
    assert "Welcome to Acme: you joined as Admin." in page
    assert "<title>Welcome to Acme · Keyward</title>" in page
    assert "stops working within 7 days" not in page
    assert "1 API key stops working within 7 days:" in client.get("/settings/").content.decode()
