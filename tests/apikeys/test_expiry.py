"""Expiry: chosen at creation, refused like deactivation once reached, warned about a week ahead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys import scopes
from apikeys.context_processors import BANNER_DISMISSED
from apikeys.forms import KeyForm
from apikeys.models import KeyEvent, PrivateKey
from tests.apikeys.helpers import state, url

T0 = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


def create(client, **fields):
    return client.post(url("create"), {"name": "Zapier", "access": "read_only", **fields})


def expiring(account, owner, name="Expiring", *, within=timedelta(days=3), **kwargs) -> PrivateKey:
    key, _ = PrivateKey.objects.issue(
        account, name, scopes.READ_ONLY, owner, expires_at=timezone.now() + within, **kwargs
    )
    return key


def expire(key, ago=timedelta(seconds=1)) -> None:
    """Make the key's expiry lie in the past (as if the clock had moved on)."""
    PrivateKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - ago)
    key.refresh_from_db()


def tab_html(client, name="list", key=None) -> str:
    return client.get(url(name, key)).content.decode()


# Choosing an expiry at creation ------------------------------------------------------------------------


def test_it_creates_a_key_that_never_expires_by_default(owner_client):
    create(owner_client)
    assert PrivateKey.objects.get().expires_at is None
    create(owner_client, expires="never", name="Other")
    assert PrivateKey.objects.get(name="Other").expires_at is None


@pytest.mark.parametrize("days", [30, 60, 90])
def test_it_expires_a_key_after_the_days_chosen(owner_client, days):
    before = timezone.now()
    response = create(owner_client, expires=str(days))
    key = PrivateKey.objects.get()
    assert response["Location"] == url("reveal", key)
    assert before + timedelta(days=days) <= key.expires_at <= timezone.now() + timedelta(days=days)


def test_it_expires_a_key_at_the_start_of_the_date_chosen(owner_client):
    day = timezone.now().date() + timedelta(days=10)
    create(owner_client, expires="date", expires_on=day.isoformat())
    assert PrivateKey.objects.get().expires_at == datetime(day.year, day.month, day.day, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expires_on", "error"),
    [
        ("", "Choose the date the key stops working."),
        ("today", "Choose a date after today."),
        ("yesterday", "Choose a date after today."),
        ("2001-01-01", "Choose a date after today."),
        ("in two years", "Choose a date within a year"),
        ("9999-12-31", "Choose a date within a year"),
        ("31/02/2031", "Enter a valid date."),
        ("not a date", "Enter a valid date."),
    ],
)
def test_it_refuses_a_bad_date_and_creates_nothing(owner_client, expires_on, error):
    today = timezone.now().date()
    expires_on = {
        "today": today.isoformat(),
        "yesterday": (today - timedelta(days=1)).isoformat(),
        "in two years": (today + timedelta(days=730)).isoformat(),
    }.get(expires_on, expires_on)
    response = create(owner_client, expires="date", expires_on=expires_on)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert PrivateKey.objects.count() == 0


def test_it_lets_the_date_be_a_year_away():
    latest = (timezone.now() + timedelta(days=366)).date()
    form = KeyForm({"name": "Z", "access": "read_only", "expires": "date", "expires_on": latest.isoformat()})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["expires_at"].date() == latest


def test_it_refuses_an_unknown_expiry_choice(owner_client):
    response = create(owner_client, expires="365")
    assert "Select a valid choice." in response.content.decode()
    assert PrivateKey.objects.count() == 0


def test_it_shows_the_expiry_fields_on_the_create_page(owner_client):
    html = tab_html(owner_client, "create")
    for value in ("never", "30", "60", "90", "date"):
        assert f'<option value="{value}"' in html
    assert 'type="date" name="expires_on"' in html


def test_it_refuses_an_expiry_in_the_past_in_the_model(account, owner):
    with pytest.raises(ValueError):
        PrivateKey.objects.issue(account, "Z", scopes.READ_ONLY, owner, expires_at=timezone.now())
    assert PrivateKey.objects.count() == 0


# Refused like a deactivated key ------------------------------------------------------------------------


def test_it_refuses_an_expired_key_at_the_exact_time(client, account, owner):
    with mock.patch("django.utils.timezone.now", return_value=T0):
        key, secret = PrivateKey.objects.issue(
            account, "Z", scopes.READ_ONLY, owner, expires_at=T0 + timedelta(days=30)
        )
    deactivated, deactivated_secret = PrivateKey.objects.issue(account, "Off", scopes.READ_ONLY, owner)
    deactivated.deactivate(by=owner)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    with mock.patch("django.utils.timezone.now", return_value=T0 + timedelta(days=30, seconds=-1)):
        assert client.get("/api/key/", **headers).status_code == 200
    with mock.patch("django.utils.timezone.now", return_value=T0 + timedelta(days=30)):
        refused = client.get("/api/key/", **headers)
        inactive = client.get("/api/key/", HTTP_AUTHORIZATION=f"Bearer {deactivated_secret}")
    assert refused.status_code == 401
    assert refused.json() == inactive.json()  # the same answer: nothing tells expired from inactive


def test_it_reads_expired_on_the_key_page_and_offers_clone_and_delete(owner_client, account, owner):
    key = expiring(account, owner)
    expire(key)
    html = tab_html(owner_client, "detail", key)
    assert '<span class="badge badge-inactive">Expired</span>' in html
    assert f'href="{url("clone", key)}">Clone</a>' in html
    assert f'href="{url("delete", key)}">Delete</a>' in html
    assert url("reactivate", key) not in html and url("roll", key) not in html


def test_it_lists_an_expired_key_with_the_inactive_ones(owner_client, account, owner):
    key = expiring(account, owner, "Old sync")
    expire(key, ago=timedelta(days=2))
    html = tab_html(owner_client)
    inactive_section = html[html.index("<h2>Inactive keys</h2>") : html.index("<h2>Recent activity</h2>")]
    assert '>Old sync</a> <span class="badge badge-inactive">Expired</span>' in inactive_section
    assert "Reached its expiry date" in inactive_section and "2\xa0days ago" in inactive_section


def test_it_deletes_an_expired_key_without_deactivating_it(owner_client, account, owner):
    key = expiring(account, owner)
    expire(key)
    owner_client.post(url("delete", key))
    assert not PrivateKey.objects.filter(pk=key.pk).exists()


def test_it_does_not_reactivate_an_expired_key(owner_client, account, owner):
    key = expiring(account, owner)
    key.deactivate(by=owner)
    expire(key)
    assert "has expired" in tab_html(owner_client, "reactivate", key)
    before = state()
    response = owner_client.post(url("reactivate", key), follow=True)
    assert "was not reactivated: This key has expired" in response.content.decode()
    assert state() == before


def test_it_offers_to_keep_the_lifetime_of_the_key_cloned_and_chooses_it_by_default(
    owner_client, account, owner
):
    key = expiring(account, owner, within=timedelta(days=30))
    form = owner_client.get(url("clone", key)).context["form"]
    assert form["expires"].value() == "keep"
    assert '<option value="keep" selected>Same as this key: 30 days</option>' in str(form["expires"])


def test_it_gives_a_clone_the_lifetime_of_its_original_from_now(owner_client, account, owner):
    key = expiring(account, owner, within=timedelta(days=30))
    before = timezone.now()
    owner_client.post(url("clone", key), {"name": "Zapier (copy)", "expires": "keep"})
    clone = PrivateKey.objects.get(cloned_from=key)
    assert before + timedelta(days=30) <= clone.expires_at <= timezone.now() + timedelta(days=30)


def test_it_lets_a_clone_take_another_expiry(owner_client, account, owner):
    key = expiring(account, owner, within=timedelta(days=30))
    owner_client.post(url("clone", key), {"name": "Zapier (copy)", "expires": "never"})
    assert PrivateKey.objects.get(cloned_from=key).expires_at is None


def test_it_keeps_no_expiry_for_the_clone_of_a_key_without_one(owner_client, key):
    form = owner_client.get(url("clone", key)).context["form"]
    assert form["expires"].value() == "never" and "keep" not in str(form["expires"])
    owner_client.post(url("clone", key), {"name": "Zapier (copy)", "expires": "never"})
    assert PrivateKey.objects.get(cloned_from=key).expires_at is None


def test_it_gives_a_rolled_key_the_lifetime_of_the_old_one_by_default(owner_client, account, owner):
    key = expiring(account, owner, within=timedelta(days=90))
    assert owner_client.get(url("roll", key)).context["form"]["expires"].value() == "keep"
    before = timezone.now()
    owner_client.post(url("roll", key), {"grace": "1h", "expires": "keep"})
    new_key = PrivateKey.objects.get(cloned_from=key)
    assert before + timedelta(days=90) <= new_key.expires_at <= timezone.now() + timedelta(days=90)


def test_it_lets_a_rolled_key_take_another_expiry(owner_client, key):
    day = timezone.now().date() + timedelta(days=10)
    owner_client.post(url("roll", key), {"grace": "1h", "expires": "date", "expires_on": day.isoformat()})
    new_key = PrivateKey.objects.get(cloned_from=key)
    assert new_key.expires_at == datetime(day.year, day.month, day.day, tzinfo=UTC)


def test_it_takes_a_date_sent_without_a_choice_as_the_choice(owner_client):
    day = timezone.now().date() + timedelta(days=10)
    create(owner_client, expires_on=day.isoformat())
    assert PrivateKey.objects.get().expires_at == datetime(day.year, day.month, day.day, tzinfo=UTC)


@pytest.mark.parametrize("choice", ["never", "30"])
def test_it_refuses_a_date_sent_with_another_choice_and_creates_nothing(owner_client, choice):
    day = timezone.now().date() + timedelta(days=10)
    response = create(owner_client, expires=choice, expires_on=day.isoformat())
    assert response.status_code == 200
    assert "A date is used only with the expiry “On a date…”" in response.content.decode()
    assert PrivateKey.objects.count() == 0


def test_it_bounds_the_date_picker_by_tomorrow_and_a_year(owner_client):
    now = timezone.now().astimezone(UTC)
    html = tab_html(owner_client, "create")
    tomorrow, latest = now.date() + timedelta(days=1), (now + timedelta(days=366)).date()
    assert f'min="{tomorrow.isoformat()}"' in html and f'max="{latest.isoformat()}"' in html


def test_it_restates_name_access_expiry_and_allowlist_on_the_reveal_page(owner_client):
    day = timezone.now().date() + timedelta(days=10)
    owner_client.post(
        url("create"),
        {
            "name": "Zapier",
            "access": "full",
            "expires": "date",
            "expires_on": day.isoformat(),
            "allowed_ips": "192.0.2.7",
        },
    )
    key = PrivateKey.objects.get()
    html = tab_html(owner_client, "reveal", key)
    assert "<dd>Zapier</dd>" in html and "<dd>Full access</dd>" in html
    assert (
        f'<time datetime="{day.isoformat()}T00:00:00+00:00" data-local-time>{day:%-d %b %Y}, 00:00 UTC</time>'
        in html
    )
    assert "<li><code>192.0.2.7</code></li>" in html


# Warnings a week ahead ---------------------------------------------------------------------------------


def test_it_finds_the_keys_expiring_within_a_week(account, owner):
    soon = expiring(account, owner, "Soon", within=timedelta(days=6, hours=23))
    expiring(account, owner, "Later", within=timedelta(days=8))
    expire(expiring(account, owner, "Gone"))
    off = expiring(account, owner, "Off")
    off.deactivate(by=owner)
    PrivateKey.objects.issue(account, "Forever", scopes.READ_ONLY, owner)
    assert list(PrivateKey.objects.expiring()) == [soon]


def test_it_puts_a_warning_badge_on_an_expiring_key(owner_client, account, owner):
    key = expiring(account, owner, within=timedelta(days=3, hours=1))
    html = tab_html(owner_client)
    assert f'{key.name}</a> <span class="badge badge-warning">Expires in 3\xa0days</span>' in html
    assert '<span class="badge badge-warning">Expires in 3\xa0days</span>' in tab_html(
        owner_client, "detail", key
    )


@pytest.mark.parametrize("persona", ["owner", "admin"])
def test_it_shows_owners_and_admins_a_banner_on_every_settings_page(client, request, account, owner, persona):
    key = expiring(account, owner, "Warehouse sync")
    client.force_login(request.getfixturevalue(persona))
    for page in ("/settings/", "/settings/users/", url("list")):
        html = client.get(page).content.decode()
        assert "1 API key stops working within 7 days:" in html, page
        assert f'<a href="{key.get_absolute_url()}">Warehouse sync</a>' in html
        assert '<span class="badge badge-warning" title="Keys that stop working within 7 days">1' in html


def test_it_counts_the_keys_in_the_banner(owner_client, account, owner):
    for number in range(12):
        expiring(account, owner, f"Key {number}")
    html = owner_client.get("/settings/").content.decode()
    assert "More than 10 API keys stop working within 7 days." in html
    assert '<a href="/settings/api-keys/?status=expiring">Review the expiring keys</a>' in html
    assert ">10+<" in html


def test_it_shows_no_banner_without_expiring_keys(owner_client, account, owner):
    expiring(account, owner, within=timedelta(days=8))
    html = owner_client.get("/settings/").content.decode()
    assert "stops working within 7 days" not in html and "stop working within 7 days" not in html
    assert "badge-warning" not in html


def test_it_reminds_of_a_rolled_key_until_its_grace_ends(owner_client, account, owner, admin):
    key = PrivateKey.objects.issue(account, "Rolled", ["lists:read"], owner)[0]
    key.roll(by=admin, grace=timedelta(hours=24))
    html = owner_client.get("/settings/").content.decode()
    assert "1 API key stops working within 7 days:" in html
    assert f'<a href="{key.get_absolute_url()}">Rolled</a>' in html
    assert "(rolled: its replacement is ready; switch what still uses this key to it)" in html


def test_it_shows_other_roles_no_banner_and_spends_no_query_on_it(client, account, owner, manager):
    expiring(account, owner)
    client.force_login(manager)
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/settings/").content.decode()
    assert "within 7 days" not in html
    assert not [q for q in captured if "apikeys_privatekey" in q["sql"]]


def test_it_spends_one_query_on_the_banner_whatever_the_number_of_keys(owner_client, account, owner):
    def keys_queries():
        with CaptureQueriesContext(connection) as captured:
            owner_client.get("/settings/")
        return [q for q in captured if "apikeys_privatekey" in q["sql"]]

    expiring(account, owner)
    one = keys_queries()
    for number in range(20):
        expiring(account, owner, f"Key {number}")
    assert len(one) == len(keys_queries()) == 1


def test_it_shows_no_banner_to_a_member_of_another_account(client, account, owner, outsider):
    expiring(account, owner)
    client.force_login(outsider)
    assert "within 7 days" not in client.get("/settings/").content.decode()


def test_it_is_silent_about_a_key_the_user_rolled_within_the_hour(owner_client, account, owner, admin):
    key = PrivateKey.objects.issue(account, "Rolled", ["lists:read"], owner)[0]
    key.roll(by=owner, grace=timedelta(hours=24))
    assert "stops working within 7 days" not in owner_client.get("/settings/").content.decode()
    owner_client.force_login(admin)  # someone else did not choose it: they are reminded
    assert "1 API key stops working within 7 days:" in owner_client.get("/settings/").content.decode()


def test_it_reminds_the_user_of_their_own_roll_after_an_hour(owner_client, account, owner):
    key = PrivateKey.objects.issue(account, "Rolled", ["lists:read"], owner)[0]
    key.roll(by=owner, grace=timedelta(hours=24))
    KeyEvent.objects.filter(key=key).update(created_at=timezone.now() - timedelta(hours=1, minutes=1))
    assert "1 API key stops working within 7 days:" in owner_client.get("/settings/").content.decode()


@pytest.mark.parametrize("page", ["reveal", "clone", "roll", "rename", "deactivate"])
def test_it_shows_no_banner_on_reveal_and_confirmation_pages(owner_client, account, owner, page):
    key = expiring(account, owner)
    assert "stops working within 7 days" not in tab_html(owner_client, page, key)
    assert "stops working within 7 days" in tab_html(owner_client, "detail", key)


def test_it_hides_the_banner_for_the_session_once_dismissed(owner_client, account, owner):
    expiring(account, owner)
    response = owner_client.post(url("dismiss_banner"), {"next": "/settings/users/"})
    assert response.status_code == 302 and response["Location"] == "/settings/users/"
    html = owner_client.get("/settings/").content.decode()
    assert "stops working within 7 days" not in html
    assert '<span class="badge badge-warning" title="Keys that stop working within 7 days">1' in html


def test_it_keeps_the_banner_dismissed_for_that_account_only(owner_client, account, owner):
    expiring(account, owner)
    owner_client.post(url("dismiss_banner"))
    session = owner_client.session
    assert session[BANNER_DISMISSED] == [str(account.pk)]


def test_it_returns_only_to_a_page_of_this_site_after_a_dismissal(owner_client, account, owner):
    response = owner_client.post(url("dismiss_banner"), {"next": "https://evil.example/"})
    assert response["Location"] == url("list")


def test_it_offers_a_dismiss_button_that_posts_with_csrf(owner_client, account, owner):
    expiring(account, owner)
    html = owner_client.get("/settings/").content.decode()
    assert f'<form method="post" action="{url("dismiss_banner")}" class="inline-form">' in html
    assert "csrfmiddlewaretoken" in html.split(url("dismiss_banner"))[1][:300]
