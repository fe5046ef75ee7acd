from apikeys.models import KeyEvent, PrivateKey
from tests.apikeys.helpers import (
    assert_get_confirms,
    state,
    url,
)


def test_it_asks_for_confirmation_on_get(client, owner, inactive_key):
    assert_get_confirms(client, owner, url("delete", inactive_key), "This cannot be undone")


def test_it_deletes_an_inactive_key_for_good_and_keeps_its_activity(owner_client, inactive_key, owner):
    response = owner_client.post(url("delete", inactive_key), REMOTE_ADDR="192.0.2.11", follow=True)
    assert response.redirect_chain == [(url("list"), 302)]
    assert not PrivateKey.objects.filter(pk=inactive_key.pk).exists()
    assert "Deleted “Old warehouse sync”" in response.content.decode()
    assert response.context["inactive_keys"] == []
    events = KeyEvent.objects.filter(key_public_id=inactive_key.public_id).order_by("id")
    assert [e.action for e in events] == ["created", "deactivated", "deleted"]
    assert (events[2].actor, events[2].ip_address) == (owner, "192.0.2.11")
    assert owner_client.get(url("detail", inactive_key)).status_code == 404


def test_it_refuses_to_delete_an_active_key(owner_client, key):
    get = owner_client.get(url("delete", key)).content.decode()
    assert "before deleting it" in get and f'href="{url("deactivate", key)}"' in get
    before = state()
    response = owner_client.post(url("delete", key), follow=True)
    assert response.redirect_chain == [(url("detail", key), 302)]
    assert "Deactivate the key before deleting it." in response.content.decode()
    assert state() == before


def test_it_answers_404_to_a_second_delete(owner_client, inactive_key):
    owner_client.post(url("delete", inactive_key))
    before = state()
    assert owner_client.post(url("delete", inactive_key)).status_code == 404
    assert state() == before


def test_it_answers_404_when_a_concurrent_request_deleted_the_key_first(
    owner_client, inactive_key, monkeypatch
):
    """The key was found, then deleted by a double-clicked Delete before this request could lock it."""

    def gone(self):
        raise PrivateKey.DoesNotExist

    monkeypatch.setattr(PrivateKey, "_locked", gone)
    for verb in ("delete", "reactivate", "deactivate"):
        assert owner_client.post(url(verb, inactive_key)).status_code == 404
