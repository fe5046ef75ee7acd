"""The "Deactivate selected keys" action on the key changelist, and its confirmation page."""

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client

from apikeys import scopes
from apikeys.models import KeyEvent, PrivateKey
from tests.factories import login_with_two_factor

CHANGELIST = "/admin/apikeys/privatekey/"


def choose_action(client, *keys):
    """What the changelist posts when the action is picked: the confirmation page comes back."""
    return client.post(
        CHANGELIST,
        {"action": "deactivate_selected", "_selected_action": [k.pk for k in keys], "index": 0},
    )


def confirm(client, *keys, reason="Leaked in a public repository"):
    """What the confirmation page posts."""
    return client.post(
        CHANGELIST,
        {
            "action": "deactivate_selected",
            "_selected_action": [k.pk for k in keys],
            "post": "yes",
            "reason": reason,
        },
    )


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_it_asks_for_a_reason_before_changing_anything(support_client, key):
    response = choose_action(support_client, key)
    assert response.status_code == 200
    assert response.templates[0].name == "admin/apikeys/privatekey/deactivate_confirmation.html"
    html = response.content.decode()
    assert "Deactivate 1 key" in html and f"pk_…{key.hint}" in html and 'name="reason"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    key.refresh_from_db()
    assert key.is_active


def test_it_deactivates_and_records_the_staff_member_and_reason(support_client, support, key):
    response = confirm(support_client, key)
    assert response.status_code == 302
    key.refresh_from_db()
    assert not key.is_active
    assert key.deactivated_by == support and key.deactivated_by_label == "support@keyward.test"
    assert key.deactivation_reason == "Leaked in a public repository"
    event = KeyEvent.objects.get(key=key, action=KeyEvent.Action.DEACTIVATED)
    assert event.actor == support
    assert event.details == {"reason": "Leaked in a public repository", "by_support": True}
    assert event.ip_address == "127.0.0.1"
    assert texts(response) == [f"Deactivated 1 key: Zapier (pk_…{key.hint})."]
    log = LogEntry.objects.get(object_id=str(key.pk))
    assert log.user == support and "Leaked in a public repository" in log.get_change_message()


def test_it_requires_a_reason(support_client, key):
    for reason in ["", "   "]:
        response = confirm(support_client, key, reason=reason)
        assert response.status_code == 200
        assert "This field is required." in response.content.decode()
    key.refresh_from_db()
    assert key.is_active
    assert not KeyEvent.objects.filter(action=KeyEvent.Action.DEACTIVATED).exists()


def test_it_refuses_a_reason_over_500_characters(support_client, key):
    response = confirm(support_client, key, reason="x" * 501)
    assert response.status_code == 200
    assert "at most 500 characters" in response.content.decode()
    key.refresh_from_db()
    assert key.is_active


def test_it_skips_inactive_keys_and_says_so(support_client, key, account, owner):
    old, _ = PrivateKey.objects.issue(account, "Old CRM", scopes.FULL_ACCESS, owner)
    old.deactivate(by=owner, reason="replaced")
    page = choose_action(support_client, key, old)
    assert "Already inactive, will be skipped" in page.content.decode()
    response = confirm(support_client, key, old)
    key.refresh_from_db()
    old.refresh_from_db()
    assert not key.is_active
    assert old.deactivated_by == owner and old.deactivation_reason == "replaced"
    assert old.events.filter(action=KeyEvent.Action.DEACTIVATED).count() == 1
    assert texts(response) == [
        f"Deactivated 1 key: Zapier (pk_…{key.hint}).",
        f"Skipped 1 already inactive: Old CRM (pk_…{old.hint}).",
    ]


def test_it_changes_nothing_when_every_key_is_already_inactive(support_client, key, owner):
    key.deactivate(by=owner, reason="first")
    response = choose_action(support_client, key)
    assert response.status_code == 302
    assert texts(response) == [f"Nothing deactivated: already inactive: Zapier (pk_…{key.hint})."]
    key.refresh_from_db()
    assert key.deactivation_reason == "first"


def test_it_is_offered_to_superusers_too(superuser_client, superuser, key):
    confirm(superuser_client, key)
    key.refresh_from_db()
    assert key.deactivated_by == superuser


def test_it_is_refused_without_the_deactivate_permission(client, staff, key):
    staff.user_permissions.add(Permission.objects.get(codename="view_privatekey"))
    login_with_two_factor(client, staff)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["action_form"] is None
    confirm(client, key)
    key.refresh_from_db()
    assert key.is_active


def test_it_makes_the_api_refuse_the_key(support_client, key_and_secret):
    key, secret = key_and_secret
    client = Client()  # an API caller: no session
    assert client.get("/api/key/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    confirm(support_client, key)
    response = client.get("/api/key/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"
