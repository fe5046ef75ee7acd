"""member_required and capability_required, as every settings page uses them."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.decorators import SESSION_ACCOUNT_KEY
from accounts.models import Membership
from accounts.roles import Role
from tests.factories import MembershipFactory, UserFactory

SAMPLE_ARGUMENTS = {"IntConverter": 1, "UUIDConverter": uuid.UUID(int=1)}
ROLES_WITHOUT_API_KEYS = [role for role in Role.values if role not in (Role.OWNER, Role.ADMIN)]


def settings_urls() -> list[str]:
    """Return every URL under /settings/, with made-up values for its parameters."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern) and route.startswith("settings/") and pattern.name:
                kwargs = {
                    name: SAMPLE_ARGUMENTS.get(type(converter).__name__, "x")
                    for name, converter in pattern.pattern.converters.items()
                }
                yield reverse(namespace + pattern.name, kwargs=kwargs)

    return sorted(set(walk(get_resolver().url_patterns, "", "")))


SETTINGS_URLS = settings_urls()
API_KEYS_URLS = [url for url in SETTINGS_URLS if url.startswith("/settings/api-keys/")]


def is_login_redirect(response, url) -> bool:
    return response.status_code == 302 and response["Location"] == f"/login/?next={url}"


def test_it_finds_the_settings_urls():
    assert {"/settings/", "/settings/users/", "/settings/switch/", "/settings/api-keys/"} <= set(
        SETTINGS_URLS
    )


def test_it_finds_the_api_keys_urls():
    assert {"/settings/api-keys/", "/settings/api-keys/new/"} <= set(API_KEYS_URLS)


@pytest.mark.parametrize("url", SETTINGS_URLS)
def test_it_sends_anonymous_visitors_to_login(client, db, url):
    responses = [client.get(url), client.post(url)]
    # A view answers a method it never takes with 405 before asking who is there; nothing else gets in.
    assert all(r.status_code == 405 or is_login_redirect(r, url) for r in responses)
    assert any(is_login_redirect(r, url) for r in responses)


@pytest.mark.parametrize("url", SETTINGS_URLS)
def test_it_tells_a_user_without_an_account_so(client, db, url):
    client.force_login(UserFactory(email="nobody@example.test"))
    responses = [client.get(url), client.post(url)]
    assert all(r.status_code in (200, 405) for r in responses)
    pages = [r for r in responses if r.status_code == 200]
    assert pages
    for page in pages:
        assert "You are not a member of any account yet" in page.content.decode()
        assert "nobody@example.test" in page.content.decode()


def test_it_shows_no_switcher_to_a_user_without_an_account(client, db):
    client.force_login(UserFactory())
    response = client.get("/settings/")
    assert response.status_code == 200
    assert 'name="account"' not in response.content.decode()
    assert "Log out" in response.content.decode()


def test_it_points_support_staff_without_an_account_to_the_admin(client, db):
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/settings/")
    assert '<a href="/admin/">admin</a>' in response.content.decode()


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_it_lets_owners_and_admins_into_api_keys(client, member_of, role):
    client.force_login(member_of(role))
    assert client.get("/settings/api-keys/").status_code == 200


# The list takes no POST from anyone (405): keys are posted to /new/.
@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/settings/api-keys/"), ("get", "/settings/api-keys/new/"), ("post", "/settings/api-keys/new/")],
)
@pytest.mark.parametrize("role", ROLES_WITHOUT_API_KEYS)
def test_it_forbids_api_keys_to_other_roles(client, member_of, admin, role, method, url):
    client.force_login(member_of(role))
    response = getattr(client, method)(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "You don't have access to this page" in html
    assert f"Your role in Acme is {Role(role).label.lower()}" in html
    assert "admin@acme.test" in html


@pytest.mark.parametrize("role", ROLES_WITHOUT_API_KEYS)
@pytest.mark.parametrize("url", API_KEYS_URLS)
def test_it_keeps_other_roles_out_of_every_api_keys_page(client, member_of, role, url):
    client.force_login(member_of(role))
    responses = [client.get(url), client.post(url)]
    assert all(r.status_code in (403, 405) for r in responses)
    assert any(r.status_code == 403 for r in responses)


def test_it_names_the_owner_and_admins_who_can_help(client, account, owner, admin, manager):
    MembershipFactory(account=account, analyst=True, user__email="analyst@acme.test")
    MembershipFactory(owner=True, user__email="boss@elsewhere.test")
    client.force_login(manager)
    response = client.get("/settings/api-keys/")
    html = response.content.decode()
    assert '<a href="mailto:owner@acme.test">owner@acme.test</a>' in html
    assert '<a href="mailto:admin@acme.test">admin@acme.test</a>' in html
    assert "analyst@acme.test" not in html
    assert "manager@acme.test</a>" not in html
    assert "boss@elsewhere.test" not in html


def test_it_forbids_by_the_current_account(client, owner, other_account):
    MembershipFactory(account=other_account, user=owner, analyst=True)
    client.force_login(owner)
    client.post("/settings/switch/", {"account": other_account.public_key})
    response = client.get("/settings/api-keys/")
    assert response.status_code == 403
    assert "Your role in Other Co is analyst" in response.content.decode()


def test_it_reads_the_role_again_on_every_request(client, account, admin):
    client.force_login(admin)
    assert client.get("/settings/api-keys/").status_code == 200
    Membership.objects.filter(user=admin, account=account).update(role=Role.ANALYST)
    assert client.get("/settings/api-keys/").status_code == 403


def test_it_falls_back_to_another_account_when_removed_from_the_chosen_one(
    client, account, owner, other_account
):
    MembershipFactory(account=other_account, user=owner, admin=True)
    client.force_login(owner)
    client.post("/settings/switch/", {"account": other_account.public_key})
    Membership.objects.filter(user=owner, account=other_account).delete()
    response = client.get("/settings/")
    assert response.status_code == 200
    assert "Acme · you are owner" in response.content.decode()
    assert client.session[SESSION_ACCOUNT_KEY] == other_account.public_key  # stale, and harmless


def test_it_shows_the_no_account_page_once_the_last_membership_is_gone(client, account, manager):
    client.force_login(manager)
    Membership.objects.filter(user=manager).delete()
    response = client.get("/settings/")
    assert response.status_code == 200
    assert "You are not a member of any account yet" in response.content.decode()
