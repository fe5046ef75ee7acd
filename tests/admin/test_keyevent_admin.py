import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apikeys import scopes
from apikeys.models import KeyEvent, PrivateKey
from tests.factories import AccountFactory

CHANGELIST = "/admin/apikeys/keyevent/"


def listed(response):
    return list(response.context["cl"].result_list)


def test_it_lists_events_with_key_account_and_actor(support_client, key, owner):
    key.deactivate(by=owner, reason="leaked")
    response = support_client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Deactivated" in html and "Created" in html and "owner@acme.test" in html
    assert f'href="/admin/apikeys/privatekey/{key.pk}/change/"' in html
    assert f'Zapier (<span class="nowrap">pk_…{key.hint}</span>)' in html


def test_it_keeps_listing_events_of_deleted_keys(support_client, key, owner):
    key.deactivate(by=owner)
    key.remove(by=owner)
    html = support_client.get(CHANGELIST).content.decode()
    assert f'Zapier (<span class="nowrap">pk_…{key.hint}</span>), deleted' in html


def test_it_filters_by_action_and_account(support_client, key, owner):
    key.deactivate(by=owner)
    other, _ = PrivateKey.objects.issue(AccountFactory(name="Elsewhere"), "Other", scopes.READ_ONLY, owner)
    response = support_client.get(CHANGELIST, {"action__exact": "deactivated"})
    assert [e.action for e in listed(response)] == ["deactivated"]
    response = support_client.get(CHANGELIST, {"account__id__exact": other.account_id})
    assert [e.key_name for e in listed(response)] == ["Other"]


def test_it_searches_by_key_name_hint_and_actor(support_client, key, admin, owner):
    key.deactivate(by=admin)
    PrivateKey.objects.issue(AccountFactory(), "Other", scopes.READ_ONLY, owner)
    assert {e.key_name for e in listed(support_client.get(CHANGELIST, {"q": "zapier"}))} == {"Zapier"}
    assert {e.key_name for e in listed(support_client.get(CHANGELIST, {"q": f"pk_…{key.hint}"}))} == {
        "Zapier"
    }
    by_admin = listed(support_client.get(CHANGELIST, {"q": "admin@acme.test"}))
    assert [e.action for e in by_admin] == ["deactivated"]


def test_it_is_read_only_for_everyone(support_client, superuser_client, key):
    event = KeyEvent.objects.get()
    for client in (support_client, superuser_client):
        assert client.get(f"{CHANGELIST}add/").status_code == 403
        response = client.post(f"{CHANGELIST}{event.pk}/change/", {"action": "deleted"})
        assert response.status_code == 403
        assert client.post(f"{CHANGELIST}{event.pk}/delete/", {"post": "yes"}).status_code == 403
        page = client.get(f"{CHANGELIST}{event.pk}/change/")
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    event.refresh_from_db()
    assert event.action == "created"


def test_it_lists_many_events_in_as_many_queries_as_one(support_client, key, owner):
    support_client.get(CHANGELIST)  # warm up: session, content types
    with CaptureQueriesContext(connection) as one:
        support_client.get(CHANGELIST)
    for i in range(120):
        PrivateKey.objects.issue(AccountFactory(), f"Key {i}", scopes.READ_ONLY, owner)
    with CaptureQueriesContext(connection) as many:
        response = support_client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 100
    assert len(many) == len(one)


def test_it_heads_the_time_and_actor_columns_as_the_tab_does(support_client, key):
    html = support_client.get(CHANGELIST).content.decode()
    headings = re.findall(
        r'<th scope="col" class="[^"]*column-(\w+)[^"]*">.*?<a href="[^"]*">([^<]*)</a>', html, re.S
    )
    assert [text for _, text in headings] == ["When", "Action", "Key", "Account", "Who", "IP address"]
