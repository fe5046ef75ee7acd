import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account, Membership, User
from apikeys import scopes
from apikeys.models import KeyEvent, KeyUsage, PrivateKey
from tests.factories import AccountFactory, MembershipFactory

CHANGELIST = "/admin/accounts/account/"


def change_url(account):
    return f"{CHANGELIST}{account.pk}/change/"


@pytest.mark.parametrize("term", ["acme", "{public_key}", "manager@acme.test"])
def test_it_searches_by_name_public_key_or_member_email(support_client, account, manager, term):
    AccountFactory(name="Elsewhere")
    response = support_client.get(CHANGELIST, {"q": term.format(public_key=account.public_key)})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [account]


def test_it_lists_member_and_active_key_counts(support_client, account, admin, key, owner):
    PrivateKey.objects.issue(account, "Old", scopes.READ_ONLY, owner)[0].deactivate(by=owner)
    response = support_client.get(CHANGELIST)
    row = response.context["cl"].result_list[0]
    assert (row.member_count, row.active_key_count) == (2, 1)


@pytest.fixture
def keys_in_every_state(account, owner, key):
    """One key of each status; only "Zapier" and "Renewed" (the rolled key's replacement) still work."""
    PrivateKey.objects.issue(account, "Deactivated", scopes.READ_ONLY, owner)[0].deactivate(by=owner)
    expired = PrivateKey.objects.issue(account, "Expired", scopes.READ_ONLY, owner)[0]
    PrivateKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    PrivateKey.objects.issue(
        account, "Expires later", scopes.READ_ONLY, owner, expires_at=timezone.now() + timedelta(days=3)
    )
    rolled = PrivateKey.objects.issue(account, "Rolled", scopes.READ_ONLY, owner)[0]
    renewed, _ = rolled.roll(by=owner, grace=timedelta(0))  # the old key stops at once
    PrivateKey.objects.filter(pk=renewed.pk).update(name="Renewed")
    rolling = PrivateKey.objects.issue(account, "Rolling", scopes.READ_ONLY, owner)[0]
    replacement, _ = rolling.roll(by=owner, grace=timedelta(hours=1))  # both keys work for an hour
    PrivateKey.objects.filter(pk=replacement.pk).update(name="Replacement")


def key_statuses(html: str) -> dict[str, str]:
    """Return {key name: status} as the account page's key rows show them."""
    name = r'<td class="field-key_link">\s*<p><a [^>]*>([^<]*)</a></p>'
    status = r'<td class="field-status">\s*<p>([^<]*)</p>'
    return dict(re.findall(f"{name}.*?{status}", html, re.DOTALL))


def test_it_counts_only_keys_that_still_work_as_active(support_client, account, keys_in_every_state):
    response = support_client.get(CHANGELIST)
    row = response.context["cl"].result_list[0]
    assert row.active_key_count == 5  # Zapier, Expires later, Renewed, Rolling, Replacement


def test_it_shows_expired_rolled_and_deactivated_keys_as_such(support_client, account, keys_in_every_state):
    html = support_client.get(change_url(account)).content.decode()
    assert key_statuses(html) == {
        "Zapier": "Active",
        "Deactivated": "Inactive",
        "Expired": "Expired",
        "Expires later": "Active",
        "Rolled": "Expired (rolled)",
        "Renewed": "Active",
        "Rolling": "Active (rolled, in its grace period)",
        "Replacement": "Active",
    }


def test_it_shows_members_roles_and_keys_with_links(support_client, account, admin, key):
    response = support_client.get(change_url(account))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "owner@acme.test",
        "Owner",
        "admin@acme.test",
        "Admin",
        "Zapier",
        f"pk_…{key.hint}",
        "Active",
    ]:
        assert text in html
    assert f'href="/admin/apikeys/privatekey/{key.pk}/change/"' in html
    assert "View on site" not in html  # the tab's key page would be a 404 for staff
    assert 'name="name"' not in html  # read-only for support


def test_it_lets_support_look_but_not_change(support_client, account):
    response = support_client.post(change_url(account), {"name": "Hijacked"})
    assert response.status_code == 403
    assert support_client.get(f"{CHANGELIST}add/").status_code == 403
    assert support_client.post(f"{CHANGELIST}add/", {"name": "New"}).status_code == 403
    assert support_client.post(f"{CHANGELIST}{account.pk}/delete/", {"post": "yes"}).status_code == 403
    account.refresh_from_db()
    assert account.name == "Acme"
    assert Account.objects.count() == 1


def management_form(prefix, total):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(total),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_it_lets_a_superuser_rename_an_account(superuser_client, account, admin, key):
    data = {"name": "Acme Inc", **management_form("memberships", 2), **management_form("private_keys", 1)}
    members = account.memberships.order_by("account__name", "user__email")
    data |= {f"memberships-{i}-id": str(m.pk) for i, m in enumerate(members)}
    data |= {"private_keys-0-id": str(key.pk)}
    response = superuser_client.post(change_url(account), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    account.refresh_from_db()
    key.refresh_from_db()
    assert account.name == "Acme Inc"
    assert key.is_active and key.name == "Zapier"


@pytest.fixture
def account_with_keys(account, owner, admin, key, other_account, outsider):
    """The account with two keys (one deactivated), their activity and usage; another account beside it."""
    PrivateKey.objects.issue(account, "Old", scopes.READ_ONLY, owner)[0].deactivate(by=owner, reason="gone")
    KeyUsage.objects.create(key=key, day=timezone.localdate(), requests=7)
    PrivateKey.objects.issue(other_account, "Theirs", scopes.READ_ONLY, outsider)
    return account


def test_it_lets_a_superuser_delete_an_account_with_its_keys(superuser_client, account_with_keys, key):
    url = f"{CHANGELIST}{account_with_keys.pk}/delete/"
    response = superuser_client.get(url)
    assert response.status_code == 200
    assert not response.context["perms_lacking"]
    html = response.content.decode()
    assert f'href="/admin/apikeys/privatekey/{key.pk}/change/">Zapier' in html  # the keys that go are listed
    assert "Old" in html and "Key event" in html
    response = superuser_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Account.objects.filter(pk=account_with_keys.pk).exists()
    assert list(PrivateKey.objects.values_list("name", flat=True)) == ["Theirs"]
    assert not KeyEvent.objects.filter(account_id=account_with_keys.pk).exists()
    assert not KeyUsage.objects.exists()


def test_it_lets_a_superuser_delete_accounts_with_keys_from_the_list(superuser_client, account_with_keys):
    data = {"action": "delete_selected", "_selected_action": [str(account_with_keys.pk)]}
    response = superuser_client.post(CHANGELIST, data)
    assert response.status_code == 200
    assert not response.context["perms_lacking"]
    response = superuser_client.post(CHANGELIST, {**data, "post": "yes"})
    assert response.status_code == 302
    assert list(Account.objects.values_list("name", flat=True)) == ["Other Co"]


def test_it_refuses_support_the_deletion_of_an_account_with_keys(support_client, account_with_keys):
    url = f"{CHANGELIST}{account_with_keys.pk}/delete/"
    assert support_client.get(url).status_code == 403
    assert support_client.post(url, {"post": "yes"}).status_code == 403
    response = support_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [str(account_with_keys.pk)], "post": "yes"},
    )
    assert response.status_code == 200  # no delete action for support: the list again, nothing done
    assert Account.objects.filter(pk=account_with_keys.pk).exists()
    assert PrivateKey.objects.filter(account=account_with_keys).count() == 2


def test_it_lets_a_superuser_delete_an_account_with_its_owner_membership(superuser_client, account, owner):
    response = superuser_client.post(f"{CHANGELIST}{account.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Account.objects.filter(pk=account.pk).exists() and not Membership.objects.exists()
    assert User.objects.filter(pk=owner.pk).exists()  # the person stays; only the membership goes


def test_it_lets_a_superuser_add_an_account_with_a_public_key(superuser_client):
    response = superuser_client.post(f"{CHANGELIST}add/", {"name": "Newco"})
    assert response.status_code == 302
    assert len(Account.objects.get(name="Newco").public_key) == 6


def test_it_renders_an_account_page_in_constant_queries(support_client, account, owner):
    PrivateKey.objects.issue(account, "First", scopes.READ_ONLY, owner)
    support_client.get(change_url(account))
    with CaptureQueriesContext(connection) as one:
        support_client.get(change_url(account))
    for i in range(60):
        PrivateKey.objects.issue(account, f"Key {i}", scopes.READ_ONLY, owner)
        MembershipFactory(account=account)
    with CaptureQueriesContext(connection) as many:
        response = support_client.get(change_url(account))
    assert "Key 59" in response.content.decode()
    assert len(many) == len(one)
