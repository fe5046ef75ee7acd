from datetime import timedelta

from django.utils import timezone

from apikeys import secrets, views
from apikeys.models import KeyEvent, PrivateKey
from tests.apikeys.helpers import (
    assert_get_confirms,
    url,
)


def test_it_asks_for_confirmation_on_get(client, owner, key):
    assert_get_confirms(client, owner, url("clone", key), "entirely different key")


def test_it_explains_what_cloning_does(owner_client, key):
    html = owner_client.get(url("clone", key)).content.decode()
    assert "the same scopes as this one" in html
    assert "This key is untouched" in html


def test_it_does_not_promise_that_an_expired_key_keeps_working(owner_client, key):
    PrivateKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    html = owner_client.get(url("clone", key)).content.decode()
    assert "it has expired and stays so" in html and "keeps working" not in html


def test_it_clones_and_reveals_the_new_secret_once(owner_client, issued, owner):
    key, secret = issued
    response = owner_client.post(url("clone", key), {"name": "Zapier (copy)"}, REMOTE_ADDR="192.0.2.4")
    clone = PrivateKey.objects.exclude(pk=key.pk).get()
    assert response.status_code == 302 and response["Location"] == url("reveal", clone)
    assert secrets.PREFIX not in response["Location"]
    new_secret = owner_client.get(url("reveal", clone)).context["secret"]
    assert new_secret != secret and clone.digest == secrets.digest(new_secret)
    assert (clone.name, clone.scopes, clone.cloned_from, clone.created_by) == (
        "Zapier (copy)",
        key.scopes,
        key,
        owner,
    )
    for event in (clone.events.get(), key.events.get(action=KeyEvent.Action.CLONED)):
        assert (event.actor, event.actor_label, event.ip_address) == (owner, owner.email, "192.0.2.4")
    assert owner_client.get(url("reveal", clone)).context["secret"] is None


def test_it_leaves_the_original_untouched(owner_client, issued):
    key, secret = issued
    owner_client.post(url("clone", key), {"name": "Zapier (copy)"})
    original = PrivateKey.objects.get(pk=key.pk)
    assert original.is_active and original.digest == key.digest and original.scopes == key.scopes
    assert PrivateKey.objects.for_secret(secret) == original
    assert list(original.events.values_list("action", flat=True)) == ["cloned", "created"]


def test_it_clones_an_inactive_key_into_an_active_one(owner_client, inactive_key):
    owner_client.post(url("clone", inactive_key), {"name": "Old warehouse sync (copy)"})
    clone = PrivateKey.objects.get(cloned_from=inactive_key)
    assert clone.is_active and clone.scopes == inactive_key.scopes
    inactive_key.refresh_from_db()
    assert not inactive_key.is_active


def test_it_answers_404_when_the_key_is_deleted_before_the_clone(owner_client, inactive_key, monkeypatch):
    """A Delete in another tab commits between this request's look-up and its clone: no orphan clone."""
    get_key = views._get_key

    def get_then_lose(request, public_id):
        key = get_key(request, public_id)
        PrivateKey.objects.filter(pk=key.pk).delete()
        return key

    monkeypatch.setattr(views, "_get_key", get_then_lose)
    response = owner_client.post(url("clone", inactive_key), {"name": "Old warehouse sync (copy)"})
    assert response.status_code == 404
    assert not PrivateKey.objects.exists()
    assert not KeyEvent.objects.filter(action=KeyEvent.Action.CLONED).exists()


def test_it_prefills_the_name_of_the_clone_as_a_copy(owner_client, key):
    html = owner_client.get(url("clone", key)).content.decode()
    assert 'name="name" value="Zapier (copy)"' in html


def test_it_gives_the_clone_the_name_typed(owner_client, key):
    owner_client.post(url("clone", key), {"name": "Zapier EU", "expires": "never"})
    assert PrivateKey.objects.get(cloned_from=key).name == "Zapier EU"


def test_it_shortens_a_long_name_to_fit_the_copy_suffix(owner_client, account, owner):
    key, _ = PrivateKey.objects.issue(account, "x" * 100, ["lists:read"], owner)
    name = owner_client.get(url("clone", key)).context["form"]["name"].value()
    assert name == "x" * 93 + " (copy)"


def test_it_refuses_a_clone_without_a_name_and_creates_nothing(owner_client, key):
    before = PrivateKey.objects.count()
    response = owner_client.post(url("clone", key), {"name": ""})
    assert response.status_code == 200 and PrivateKey.objects.count() == before
    assert '<a href="#id_name">Name: This field is required.</a>' in response.content.decode()
