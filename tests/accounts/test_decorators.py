"""What member_required and capability_required do besides letting in or turning away.

Who may reach which page is asserted once, for every URL and every role, by the permission matrix
(tests/security/test_permission_matrix.py).
"""

from accounts.decorators import SESSION_ACCOUNT_KEY
from accounts.models import Membership
from accounts.roles import Role
from tests.factories import MembershipFactory, UserFactory


def test_it_tells_a_user_without_an_account_so(client, db):
    client.force_login(UserFactory(email="nobody@example.test"))
    html = client.get("/settings/").content.decode()
    assert "You are not a member of any account yet" in html
    assert "nobody@example.test" in html


def test_it_shows_no_switcher_to_a_user_without_an_account(client, db):
    client.force_login(UserFactory())
    response = client.get("/settings/")
    assert response.status_code == 200
    assert 'name="account"' not in response.content.decode()
    assert "Log out" in response.content.decode()


def test_it_points_support_staff_without_an_account_to_the_admin(client, db):
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/settings/")
    assert '<a href="/admin/">admin</a>' in response.content.decode()


def test_it_names_the_owner_and_admins_who_can_help(client, account, owner, admin, manager):
    MembershipFactory(account=account, analyst=True, user__email="analyst@acme.test")
    MembershipFactory(owner=True, user__email="boss@elsewhere.test")
    client.force_login(manager)
    response = client.get("/settings/api-keys/")
    html = response.content.decode()
    assert '<a href="mailto:owner@acme.test">owner@acme.test</a>' in html
    assert '<a href="mailto:admin@acme.test">admin@acme.test</a>' in html
    assert "analyst@acme.test" not in html
    assert "manager@acme.test</a>" not in html
    assert "boss@elsewhere.test" not in html


def test_it_forbids_by_the_current_account(client, owner, other_account):
    MembershipFactory(account=other_account, user=owner, analyst=True)
    client.force_login(owner)
    client.post("/settings/switch/", {"account": other_account.public_key})
    response = client.get("/settings/api-keys/")
    assert response.status_code == 403
    assert "Your role in Other Co is analyst" in response.content.decode()


def test_it_reads_the_role_again_on_every_request(client, account, admin):
    client.force_login(admin)
    assert client.get("/settings/api-keys/").status_code == 200
    Membership.objects.filter(user=admin, account=account).update(role=Role.ANALYST)
    assert client.get("/settings/api-keys/").status_code == 403


def test_it_falls_back_to_another_account_when_removed_from_the_chosen_one(
    client, account, owner, other_account
):
    MembershipFactory(account=other_account, user=owner, admin=True)
    client.force_login(owner)
    client.post("/settings/switch/", {"account": other_account.public_key})
    Membership.objects.filter(user=owner, account=other_account).delete()
    response = client.get("/settings/")
    assert response.status_code == 200
    assert "Acme · you are owner" in response.content.decode()
    assert client.session[SESSION_ACCOUNT_KEY] == other_account.public_key  # stale, and harmless


def test_it_shows_the_no_account_page_once_the_last_membership_is_gone(client, account, manager):
    client.force_login(manager)
    Membership.objects.filter(user=manager).delete()
    response = client.get("/settings/")
    assert response.status_code == 200
    assert "You are not a member of any account yet" in response.content.decode()
