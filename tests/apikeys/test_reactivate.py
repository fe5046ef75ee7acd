from tests.apikeys.helpers import (
    assert_get_confirms,
    state,
    url,
)


def test_it_asks_for_confirmation_on_get(client, owner, inactive_key):
    assert_get_confirms(client, owner, url("reactivate", inactive_key), "Reactivate key")


def test_it_shows_why_the_key_was_deactivated(owner_client, inactive_key):
    html = owner_client.get(url("reactivate", inactive_key)).content.decode()
    assert "Leaked in a public gist" in html and "owner@acme.test" in html
    assert f'href="{url("clone", inactive_key)}">Clone instead</a>' in html


def test_it_reactivates_and_says_so(owner_client, inactive_key, admin, client):
    client.force_login(admin)
    response = client.post(url("reactivate", inactive_key), REMOTE_ADDR="192.0.2.10", follow=True)
    assert response.redirect_chain == [(url("list"), 302)]
    assert "Reactivated “Old warehouse sync”" in response.content.decode()
    inactive_key.refresh_from_db()
    assert inactive_key.is_active and inactive_key.deactivation_reason == ""
    event = inactive_key.events.get(action="reactivated")
    assert (event.actor, event.ip_address) == (admin, "192.0.2.10")
    assert event.details == {"previous_reason": "Leaked in a public gist"}


def test_it_leaves_an_active_key_alone(owner_client, key):
    assert "is already active" in owner_client.get(url("reactivate", key)).content.decode()
    before = state()
    response = owner_client.post(url("reactivate", key), follow=True)
    assert f"“Zapier” (pk_…{key.hint}) is already active." in response.content.decode()
    assert state() == before


def test_it_refuses_a_key_whose_pepper_was_dropped(owner_client, inactive_key, settings):
    """Its digest can never match again: reactivated, it would show as active while every request fails."""
    settings.API_KEY_PEPPERS = ["a-newer-pepper"]  # the pepper the key was digested with is gone
    before = state()
    response = owner_client.post(url("reactivate", inactive_key), follow=True)
    html = response.content.decode()
    assert f"“Old warehouse sync” (pk_…{inactive_key.hint}) was not reactivated:" in html
    assert "made with a pepper this server no longer has" in html
    assert state() == before
