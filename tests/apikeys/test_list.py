from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys import scopes
from apikeys.models import PrivateKey
from tests.apikeys.helpers import url
from tests.factories import UserFactory


def test_it_shows_the_public_key_with_a_copy_button(owner_client, account):
    html = owner_client.get(url("list")).content.decode()
    assert f'<code id="public-key" class="copy-value">{account.public_key}</code>' in html
    assert 'data-copy-target="#public-key"' in html
    assert "safe to expose and grants no access to data" in html


def test_it_lists_active_keys_with_masked_hint_and_access(owner_client, issued):
    key, secret = issued
    response = owner_client.get(url("list"))
    html = response.content.decode()
    assert f"pk_…{secret[-4:]}" in html
    assert secret not in html and secret[3:-4] not in html
    assert f'<a href="{key.get_absolute_url()}">Zapier</a>' in html
    assert "Read-only" in html
    assert f"by {key.created_by.email}" in html  # as in the activity and "Stopped by": who, by login
    assert response.context["active_keys"] == [key]


def test_it_summarizes_each_keys_access_on_its_row(owner_client, account, owner):
    for name, granted in [
        ("Everything", scopes.FULL_ACCESS),
        ("Reader", scopes.READ_ONLY),
        ("Lists", ["lists:read", "lists:write"]),
        ("One list", ["lists:read"]),
    ]:
        PrivateKey.objects.issue(account, name, granted, owner)
    html = owner_client.get(url("list")).content.decode()
    active_table = html.split('<table class="table keys-table">', 1)[1].split("</table>", 1)[0]
    rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row for row in active_table.split("<tr>")[2:]}
    assert len(rows) == 4
    for name, summary in [
        ("Everything", "Full access"),
        ("Reader", "Read-only"),
        ("Lists", "Custom: 1 resource"),
        ("One list", "Custom: 1 resource"),
    ]:
        assert f'<td data-label="Access">{summary}</td>' in rows[name], name


def test_it_says_when_a_key_was_last_used(owner_client, key, account, owner):
    unused, _ = PrivateKey.objects.issue(account, "Never used", scopes.READ_ONLY, owner)
    key.last_used_at = timezone.now() - timedelta(hours=3)
    key.save()
    html = owner_client.get(url("list")).content.decode()
    assert "3\xa0hours ago" in html or "3 hours ago" in html
    assert "Never" in html


def test_it_shows_inactive_keys_greyed_in_their_own_section(owner_client, key, inactive_key):
    response = owner_client.get(url("list"))
    html = response.content.decode()
    assert response.context["active_keys"] == [key]
    assert response.context["inactive_keys"] == [inactive_key]
    inactive_section = html[html.index("<h2>Inactive keys</h2>") :]
    assert '<tr class="is-inactive">' in inactive_section
    assert (
        "Old warehouse sync" in inactive_section
        and "Zapier" not in inactive_section.split("Recent activity")[0]
    )
    assert "Leaked in a public gist" in inactive_section
    assert "by owner@acme.test" in inactive_section


def test_it_has_no_inactive_section_without_inactive_keys(owner_client, key):
    assert b"Inactive keys" not in owner_client.get(url("list")).content


def test_it_shows_an_empty_state_that_says_what_to_do(owner_client, account):
    html = owner_client.get(url("list")).content.decode()
    assert "No private keys yet" in html
    assert f'href="{url("create")}">Create your first private key</a>' in html


def test_it_offers_to_create_a_key(owner_client, key):
    assert f'href="{url("create")}">Create private key</a>' in owner_client.get(url("list")).content.decode()


def test_it_shows_only_the_current_accounts_keys(owner_client, key, foreign_key):
    response = owner_client.get(url("list"))
    assert response.context["active_keys"] == [key]
    assert response.context["inactive_keys"] == []
    assert foreign_key.name not in response.content.decode()


def test_it_keeps_deleted_keys_in_recent_activity(owner_client, inactive_key, owner):
    inactive_key.remove(by=owner)
    response = owner_client.get(url("list"))
    assert response.context["inactive_keys"] == []
    activity = response.content.decode().split("Recent activity")[1]
    assert "Old warehouse sync" in activity and "Deleted" in activity


def _many_keys(account, owner, count, start=0):
    """Make ``count`` keys quickly (every other one inactive and by its own user), bypassing ``issue``."""
    now = timezone.now()
    PrivateKey.objects.bulk_create(
        PrivateKey(
            account=account,
            name=f"Key {n}",
            scopes=sorted(scopes.READ_ONLY),
            digest=f"{n:064x}",
            pepper_id="test",
            hint=f"{n:04d}"[-4:],
            created_by=UserFactory() if n % 2 else owner,
            deactivated_at=now if n % 2 else None,
            deactivated_by_label="someone@acme.test" if n % 2 else "",
        )
        for n in range(start, start + count)
    )


def test_it_costs_the_same_queries_for_500_keys_as_for_1(
    owner_client, account, owner, django_assert_num_queries
):
    _many_keys(account, owner, 1)
    owner_client.get(url("list"))  # warm-up, so that both measured requests start alike
    with CaptureQueriesContext(connection) as one_key:
        owner_client.get(url("list"))
    _many_keys(account, owner, 499, start=1)
    with django_assert_num_queries(len(one_key)):
        response = owner_client.get(url("list"))
    assert len(response.context["active_keys"]) + len(response.context["inactive_keys"]) == 500
