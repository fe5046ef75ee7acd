"""A key's whole life through Orbit: made in the tab, shown once, then opening (or not) Orbit's DRF API."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apikeys.models import PrivateKey
from tests.second_host.helpers import call, create_key, error, reveal
from tests.second_host.orgs.models import Project

PROJECTS = "/api/projects/"


def test_it_shows_the_tab_in_orbit_pages_with_the_site_id(lead_client, organization):
    response = lead_client.get(reverse("apikeys:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>API keys · Orbit</title>" in html and 'class="orbit-bar">Orbit · lena' in html
    assert organization.site_id in html


def test_it_offers_orbit_scopes_in_the_create_form(lead_client):
    html = lead_client.get(reverse("apikeys:create")).content.decode()
    offered = set(re.findall(r'name="scope-([a-z-]+)" value="([a-z]+)"', html))
    assert offered == {
        ("projects", "none"), ("projects", "read"), ("projects", "full"),
        ("organization", "none"), ("organization", "read"),
        ("deploys", "none"), ("deploys", "full"),
    }  # fmt: skip


def test_it_reveals_a_new_secret_once(lead_client, organization, lead):
    response = lead_client.post(
        reverse("apikeys:create"), {"name": "CI", "access": "read_only", "expires": "never"}
    )
    key, secret = reveal(lead_client, response["Location"])
    assert (key.account, key.created_by) == (organization, lead)
    assert key.scopes == ["organization:read", "projects:read"]
    assert key.digest not in secret and key.hint == secret[-4:]
    again = lead_client.get(response["Location"])
    assert again.status_code == 200
    assert secret not in again.content.decode() and "can no longer be shown" in again.content.decode()


def test_it_emails_the_leads_a_link_at_orbits_site_url(
    lead_client, engineer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        key, _ = create_key(lead_client, projects="read")
    [message] = mail.outbox
    assert message.to == ["lena@orbit.example"]
    assert "A new private API key was created by Lena." in message.body
    assert f"\nhttps://orbit.example{key.get_absolute_url()}\n" in message.body


def test_it_opens_the_api_to_a_key_with_the_scope(lead_client, api, organization, rival_key):
    Project.objects.create(organization=organization, name="Apollo")
    Project.objects.create(organization=rival_key.account, name="Not ours")
    _, secret = create_key(lead_client, projects="full")
    listed = call(api, PROJECTS, secret)
    created = call(api, PROJECTS, secret, "post", name="Gemini")
    assert (listed.status_code, listed.json()) == (200, [{"id": listed.json()[0]["id"], "name": "Apollo"}])
    assert created.status_code == 201
    assert Project.objects.get(name="Gemini").organization == organization


def test_it_refuses_a_key_without_the_scope(lead_client, api):
    _, secret = create_key(lead_client, projects="read")
    response = call(api, PROJECTS, secret, "post", name="Gemini")
    assert error(response) == (403, "insufficient_scope")
    assert "projects:write" in response.json()["errors"][0]["detail"]
    assert not Project.objects.exists()


def test_it_refuses_a_request_without_a_key(api, db):
    response = call(api, PROJECTS)
    assert error(response) == (401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_refuses_a_bad_key(lead_client, api):
    _, secret = create_key(lead_client, projects="read")
    mistyped = secret[:-1] + ("a" if secret[-1] != "a" else "b")
    assert error(call(api, PROJECTS, mistyped)) == (401, "not_authenticated")


def test_it_tells_a_site_id_from_a_private_key(api, organization):
    response = call(api, PROJECTS, organization.site_id)
    assert error(response) == (401, "not_authenticated")
    assert "public key (site ID)" in response.json()["errors"][0]["detail"]


def test_it_refuses_a_deactivated_key_on_the_next_request(lead_client, api):
    key, secret = create_key(lead_client, projects="read")
    assert call(api, PROJECTS, secret).status_code == 200
    lead_client.post(reverse("apikeys:deactivate", args=[key.public_id]), {"reason": "Laptop stolen"})
    assert error(call(api, PROJECTS, secret)) == (401, "not_authenticated")


def test_it_refuses_a_key_rolled_with_grace_now_and_opens_to_its_successor(lead_client, api):
    key, old = create_key(lead_client, projects="read")
    response = lead_client.post(reverse("apikeys:roll", args=[key.public_id]), {"grace": "now"})
    successor, new = reveal(lead_client, response["Location"])
    assert (successor.name, successor.scopes) == (key.name, key.scopes)
    assert error(call(api, PROJECTS, old)) == (401, "not_authenticated")
    assert call(api, PROJECTS, new).status_code == 200


def test_it_throttles_an_address_after_repeated_failures(lead_client, api, settings):
    _, secret = create_key(lead_client, projects="read")
    failures = [call(api, PROJECTS, "pk_wrong").status_code for _ in range(settings.API_AUTH_FAILURE_LIMIT)]
    throttled = call(api, PROJECTS, "pk_wrong")
    assert failures == [401] * settings.API_AUTH_FAILURE_LIMIT
    assert error(throttled) == (429, "throttled")
    assert 1 <= int(throttled["Retry-After"]) <= 60
    # A good key is never refused because its address also sent bad ones.
    assert call(api, PROJECTS, secret).status_code == 200


def test_it_checks_a_key_in_one_query(lead_client, api, django_assert_num_queries, organization):
    _, secret = create_key(lead_client, organization="read")
    # The first use writes last_used_at; the next ones, for a minute, do not.
    call(api, "/api/organization/", secret)
    with django_assert_num_queries(1):
        response = call(api, "/api/organization/", secret)
    assert response.json() == {"name": "Orbit Labs", "site_id": organization.site_id}


def test_it_keeps_the_expiring_banner_off_the_reveal_page(lead_client, organization, lead):
    PrivateKey.objects.issue(
        organization, "Nightly", ["projects:read"], lead, expires_at=timezone.now() + timedelta(days=2)
    )
    assert "1 API key stops working within" in lead_client.get(reverse("apikeys:list")).content.decode()
    response = lead_client.post(
        reverse("apikeys:create"), {"name": "CI", "access": "read_only", "expires": "never"}
    )
    html = lead_client.get(response["Location"]).content.decode()
    assert "Copy your new private key" in html and "stops working within" not in html
