import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys import scopes
from apikeys.models import PrivateKey
from tests.factories import AccountFactory, login_with_two_factor

CHANGELIST = "/admin/apikeys/privatekey/"


def change_url(key):
    return f"{CHANGELIST}{key.pk}/change/"


def listed(response):
    return list(response.context["cl"].result_list)


def test_it_lists_keys_with_name_account_hint_status_and_dates(support_client, key, account, owner):
    inactive, _ = PrivateKey.objects.issue(account, "Old CRM", scopes.FULL_ACCESS, owner)
    inactive.deactivate(by=owner, reason="replaced")
    response = support_client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["Zapier", "Old CRM", "Acme", f"pk_…{key.hint}", "Active", "Inactive", "Last used"]:
        assert text in html
    assert f'href="/admin/accounts/account/{account.pk}/change/"' in html


def test_it_lists_times_that_break_between_day_and_time_only(support_client, key):
    used = datetime(2026, 12, 3, 14, 25, tzinfo=UTC)
    PrivateKey.objects.filter(pk=key.pk).update(created_at=used - timedelta(days=30), last_used_at=used)
    html = support_client.get(CHANGELIST).content.decode()
    assert '<span class="nowrap">3 Nov 2026</span> <span class="nowrap">14:25</span>' in html
    assert '<span class="nowrap">3 Dec 2026</span> <span class="nowrap">14:25</span>' in html
    assert f'<span class="nowrap">pk_…{key.hint}</span>' in html


def test_it_requires_the_view_permission(client, staff, key):
    login_with_two_factor(client, staff)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(key)).status_code == 403


@pytest.mark.parametrize(
    "term", ["{hint}", "pk_…{hint}", "…{hint}", "pk_...{hint}", "Zapier", "acme", "{public_key}"]
)
def test_it_searches_by_name_hint_account_name_and_public_key(support_client, key, account, owner, term):
    PrivateKey.objects.issue(AccountFactory(name="Elsewhere"), "Other", scopes.READ_ONLY, owner)
    q = term.format(hint=key.hint, public_key=account.public_key)
    response = support_client.get(CHANGELIST, {"q": q})
    assert listed(response) == [key]


def test_it_filters_by_status(support_client, key, account, owner):
    inactive, _ = PrivateKey.objects.issue(account, "Old CRM", scopes.FULL_ACCESS, owner)
    inactive.deactivate(by=owner)
    assert listed(support_client.get(CHANGELIST, {"status": "active"})) == [key]
    assert listed(support_client.get(CHANGELIST, {"status": "inactive"})) == [inactive]
    assert len(listed(support_client.get(CHANGELIST))) == 2


def test_it_filters_by_account(support_client, key, owner):
    other, _ = PrivateKey.objects.issue(AccountFactory(name="Elsewhere"), "Other", scopes.READ_ONLY, owner)
    response = support_client.get(CHANGELIST, {"account__id__exact": other.account_id})
    assert listed(response) == [other]


def test_it_refuses_lookups_on_the_digest(support_client, key):
    for lookup in ["digest__startswith", "pepper_id", "digest"]:
        response = support_client.get(CHANGELIST, {lookup: key.digest[:1]})
        assert response.status_code == 400


def test_it_shows_a_key_read_only(support_client, key):
    response = support_client.get(change_url(key))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Zapier" in html and f"pk_…{key.hint}" in html and "Read-only" in html
    assert 'name="name"' not in html and 'name="_save"' not in html
    assert "View on site" not in html  # the tab's key page would be a 404 for staff


@pytest.mark.parametrize("who", ["support_client", "superuser_client"])
def test_it_refuses_to_add_change_or_delete_keys(request, who, key):
    client = request.getfixturevalue(who)
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}add/", {"name": "New"}).status_code == 403
    response = client.post(change_url(key), {"name": "Renamed", "_save": "Save"})
    assert response.status_code == 403
    assert client.get(f"{CHANGELIST}{key.pk}/delete/").status_code == 403
    assert client.post(f"{CHANGELIST}{key.pk}/delete/", {"post": "yes"}).status_code == 403
    key.refresh_from_db()
    assert key.name == "Zapier" and key.is_active
    assert PrivateKey.objects.count() == 1


@pytest.mark.parametrize("who", ["support_client", "superuser_client"])
def test_it_offers_deactivation_but_no_delete_action(request, who, key):
    response = request.getfixturevalue(who).get(CHANGELIST)
    actions = [name for name, _ in response.context["action_form"].fields["action"].choices if name]
    assert actions == ["deactivate_selected"]
    assert f'href="{CHANGELIST}add/"' not in response.content.decode()


def test_it_refuses_a_forced_delete_action(superuser_client, key):
    response = superuser_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [key.pk], "post": "yes", "index": 0}
    )
    assert response.status_code in (200, 302)
    assert PrivateKey.objects.filter(pk=key.pk).exists()


def test_it_lists_500_keys_in_as_many_queries_as_one(support_client, account, owner):
    PrivateKey.objects.issue(account, "First", scopes.READ_ONLY, owner)
    support_client.get(CHANGELIST)  # warm up: session, content types
    with CaptureQueriesContext(connection) as one:
        assert support_client.get(CHANGELIST).status_code == 200
    accounts = [AccountFactory() for _ in range(20)]
    for i in range(499):
        PrivateKey.objects.issue(accounts[i % 20], f"Key {i}", scopes.READ_ONLY, owner)
    with CaptureQueriesContext(connection) as many:
        response = support_client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 500
    assert len(response.context["cl"].result_list) == 100  # one page
    assert len(many) == len(one)


def test_it_shows_expiry_roll_and_allowlist_read_only(support_client, account, owner):
    key, secret = PrivateKey.objects.issue(
        account, "Fenced", scopes.READ_ONLY, owner, allowed_ips=["192.0.2.0/24", "2001:db8::/32"]
    )
    new, _ = key.roll(by=owner, grace=timedelta(days=7))
    html = support_client.get(change_url(key)).content.decode()
    for label in ["Expires at", "Rolled to", "Rolled at", "IP allowlist"]:
        assert label in html
    assert "192.0.2.0/24, 2001:db8::/32" in html
    assert f"Fenced (pk_…{new.hint})" in html  # the replacement
    assert 'name="expires_at"' not in html and 'name="allowed_ips"' not in html
    assert key.digest not in html and secret not in html


def test_it_filters_and_labels_expired_keys(support_client, key, account, owner):
    expired, _ = PrivateKey.objects.issue(account, "Expired", scopes.READ_ONLY, owner)
    rolled, _ = PrivateKey.objects.issue(account, "Rolled", scopes.READ_ONLY, owner)
    replacement, _ = rolled.roll(by=owner, grace=timedelta(0))
    PrivateKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert set(listed(support_client.get(CHANGELIST, {"status": "expired"}))) == {expired, rolled}
    assert set(listed(support_client.get(CHANGELIST, {"status": "active"}))) == {key, replacement}
    html = support_client.get(CHANGELIST).content.decode()
    assert '<td class="field-status">Expired</td>' in html
    assert '<td class="field-status">Expired (rolled)</td>' in html


def test_it_labels_who_deactivated_a_key_and_where_it_was_last_used_from(db):
    from apikeys.models import PrivateKey

    assert PrivateKey._meta.get_field("deactivated_by_label").verbose_name == "deactivated by"
    assert PrivateKey._meta.get_field("last_used_ip").verbose_name == "last used from"


def test_it_heads_the_activity_s_time_and_actor_as_the_tab_does(support_client, key):
    html = support_client.get(change_url(key)).content.decode()
    headings = [heading.strip() for heading in re.findall(r'<th class="column-\w+">([^<]*)</th>', html)]
    assert headings == ["When", "Action", "Who", "IP address", "Details"]
