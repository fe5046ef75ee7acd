"""Deactivating one key from its admin page: the button, the confirmation, the POST."""

from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client

from apikeys.models import KeyEvent
from tests.factories import login_with_two_factor


def page_url(key):
    return f"/admin/apikeys/privatekey/{key.pk}/change/"


def deactivate_url(key):
    return f"/admin/apikeys/privatekey/{key.pk}/deactivate/"


def test_it_shows_the_button_on_an_active_key_page(support_client, key):
    html = support_client.get(page_url(key)).content.decode()
    assert f'href="{deactivate_url(key)}"' in html


def test_it_hides_the_button_on_an_inactive_key_page(support_client, key, owner):
    key.deactivate(by=owner, reason="rotated")
    html = support_client.get(page_url(key)).content.decode()
    assert deactivate_url(key) not in html
    assert "rotated" in html and "owner@acme.test" in html


def test_it_hides_the_button_without_the_permission(client, staff, key):
    staff.user_permissions.add(Permission.objects.get(codename="view_privatekey"))
    login_with_two_factor(client, staff)
    response = client.get(page_url(key))
    assert response.status_code == 200
    assert deactivate_url(key) not in response.content.decode()


def test_it_confirms_on_get_and_changes_nothing(support_client, key):
    response = support_client.get(deactivate_url(key))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="reason"' in html and 'method="post"' in html and 'name="csrfmiddlewaretoken"' in html
    assert f'href="{page_url(key)}"' in html  # the way back
    key.refresh_from_db()
    assert key.is_active


def test_it_deactivates_with_a_reason(support_client, support, key):
    response = support_client.post(deactivate_url(key), {"reason": "  Customer reported a leak  "})
    assert response.status_code == 302 and response.url == page_url(key)
    key.refresh_from_db()
    assert not key.is_active
    assert (key.deactivated_by, key.deactivation_reason) == (support, "Customer reported a leak")
    event = key.events.get(action=KeyEvent.Action.DEACTIVATED)
    assert event.actor == support and event.actor_label == "support@keyward.test"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Deactivated 1 key: Zapier (pk_…{key.hint})."
    ]


def test_it_requires_a_reason(support_client, key):
    response = support_client.post(deactivate_url(key), {"reason": " "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    key.refresh_from_db()
    assert key.is_active


def test_it_changes_nothing_on_an_inactive_key(support_client, key, owner):
    key.deactivate(by=owner, reason="rotated")
    response = support_client.post(deactivate_url(key), {"reason": "again"})
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.deactivation_reason == "rotated"
    assert key.events.filter(action=KeyEvent.Action.DEACTIVATED).count() == 1


def test_it_requires_the_deactivate_permission(client, staff, key):
    staff.user_permissions.add(Permission.objects.get(codename="view_privatekey"))
    login_with_two_factor(client, staff)
    assert client.get(deactivate_url(key)).status_code == 403
    assert client.post(deactivate_url(key), {"reason": "x"}).status_code == 403
    key.refresh_from_db()
    assert key.is_active


def test_it_requires_the_csrf_token(support, key):
    client = Client(enforce_csrf_checks=True)
    login_with_two_factor(client, support)
    assert client.post(deactivate_url(key), {"reason": "x"}).status_code == 403
    key.refresh_from_db()
    assert key.is_active


def test_it_answers_404_for_an_unknown_key(support_client, key):
    assert support_client.get("/admin/apikeys/privatekey/999999/deactivate/").status_code == 404
    assert (
        support_client.post("/admin/apikeys/privatekey/nope/deactivate/", {"reason": "x"}).status_code == 404
    )
