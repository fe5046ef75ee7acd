"""Find by secret: support staff paste a whole secret into a POST form, never into a search or a URL."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.views.debug import SafeExceptionReporterFilter

from apikeys import scopes, secrets
from apikeys.models import PrivateKey

FIND = "/admin/apikeys/privatekey/find/"
KEYS = "/admin/apikeys/privatekey/"
EVENTS = "/admin/apikeys/keyevent/"
# Every changelist with a search box support staff can open.
SEARCHES = [KEYS, EVENTS, "/admin/accounts/account/", "/admin/accounts/membership/", "/admin/accounts/user/"]
NOT_A_SECRET = "This is not a whole Keyward secret"


def change_url(key):
    return f"{KEYS}{key.pk}/change/"


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def unknown_secret():
    """Well formed, checksum and all, but the secret of no key."""
    return secrets.generate()


def test_it_opens_the_page_of_the_key_with_that_secret(support_client, key_and_secret):
    key, secret = key_and_secret
    response = support_client.post(FIND, {"secret": secret})
    assert response.status_code == 302
    assert response.url == change_url(key)
    assert texts(response) == [f"This is the key with that secret: Zapier (pk_…{key.hint}), of Acme."]
    page = support_client.get(response.url).content.decode()
    assert "Zapier" in page and secret not in page


def test_it_finds_an_inactive_key_too(support_client, key_and_secret, owner):
    key, secret = key_and_secret
    key.deactivate(by=owner, reason="replaced")
    response = support_client.post(FIND, {"secret": f"  {secret}\n"})
    assert response.url == change_url(key)


def test_it_tells_one_key_from_another(support_client, key, account, owner):
    other, other_secret = PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    assert support_client.post(FIND, {"secret": other_secret}).url == change_url(other)


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda secret: secret[:-1] + ("A" if secret[-1] != "A" else "B"), NOT_A_SECRET),
        (lambda secret: secret[:20], NOT_A_SECRET),
        (lambda secret: "", "This field is required."),
        (lambda secret: unknown_secret(), "No key has this secret"),
    ],
    ids=["mistyped", "cut short", "empty", "no such key"],
)
def test_it_says_why_nothing_was_found_and_never_shows_the_secret_back(
    support_client, key_and_secret, make, error
):
    key, secret = key_and_secret
    typed = make(secret)
    response = support_client.post(FIND, {"secret": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert secret not in html
    assert not typed or typed not in html


def test_it_ignores_a_secret_in_the_query_string(support_client, key_and_secret):
    key, secret = key_and_secret
    response = support_client.get(FIND, {"secret": secret})
    assert response.status_code == 200
    html = response.content.decode()
    assert secret not in html and "No key found" not in html


def test_it_hides_the_secret_from_error_reports(support_client, key_and_secret):
    _, secret = key_and_secret
    request = support_client.post(FIND, {"secret": secret}).wsgi_request
    reported = SafeExceptionReporterFilter().get_post_parameters(request)
    assert reported["secret"] == SafeExceptionReporterFilter.cleansed_substitute


def test_it_requires_the_view_permission(client, staff, key_and_secret):
    _, secret = key_and_secret
    client.force_login(staff)
    assert client.get(FIND).status_code == 403
    assert client.post(FIND, {"secret": secret}).status_code == 403


def test_it_requires_a_staff_login(client, key_and_secret):
    _, secret = key_and_secret
    response = client.post(FIND, {"secret": secret})
    assert response.status_code == 302 and response.url.startswith("/admin/login/")


def test_it_requires_the_csrf_token(support, key_and_secret):
    _, secret = key_and_secret
    client = Client(enforce_csrf_checks=True)
    client.force_login(support)
    assert client.post(FIND, {"secret": secret}).status_code == 403


def test_the_key_list_links_to_it(support_client, key):
    assert f'href="{FIND}"' in support_client.get(KEYS).content.decode()


@pytest.mark.parametrize("changelist", SEARCHES)
def test_every_search_loads_the_script_that_stops_a_secret_in_the_browser(support_client, changelist):
    html = support_client.get(changelist).content.decode()
    shape = secrets.SHAPE.pattern
    script = "/static/apikeys/js/secret_search.js"
    assert f'src="{script}" data-find-url="{FIND}" data-secret-shape="{shape}"' in html


@pytest.mark.parametrize("changelist", SEARCHES)
@pytest.mark.parametrize("around", ["{}", "Zapier {}", "{}abc"])
def test_a_search_holding_a_whole_secret_is_not_run_and_sends_staff_to_the_finder(
    support_client, key_and_secret, changelist, around
):
    _, secret = key_and_secret
    response = support_client.get(changelist, {"q": around.format(secret)})
    assert response.status_code == 302
    assert response.url == FIND
    assert texts(response) == [
        "That search held a whole secret, so it was not run: a search goes into the URL, and from there "
        "into browser history and proxy logs. Find the key here instead, and treat the secret as exposed."
    ]
    assert secret not in support_client.get(response.url).content.decode()


@pytest.mark.parametrize("changelist", [KEYS, EVENTS])
def test_a_search_by_the_masked_key_still_runs(support_client, key, changelist):
    response = support_client.get(changelist, {"q": f"pk_…{key.hint}"})
    assert response.status_code == 200
