"""Who reaches Orbit's key tab: the adapter decides, and another organization's keys do not exist."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from apikeys.models import PrivateKey

PAGES = ["detail", "reveal"]  # GET only
VERBS = ["clone", "roll", "deactivate", "reactivate", "delete"]  # GET confirms, POST acts


def test_it_answers_an_engineer_with_the_adapters_403(engineer):
    client = Client()
    client.force_login(engineer)
    response = client.get(reverse("apikeys:list"))
    assert response.status_code == 403
    assert "Only the leads of Orbit Labs manage its API keys." in response.content.decode()


@pytest.mark.parametrize(
    ("route", "methods"),
    [(route, ["get"]) for route in PAGES] + [(route, ["get", "post"]) for route in VERBS],
)
def test_it_hides_another_organizations_key(lead_client, rival_key, route, methods):
    url = reverse(f"apikeys:{route}", args=[rival_key.public_id])
    responses = [getattr(lead_client, method)(url, {"grace": "now"}) for method in methods]
    assert [r.status_code for r in responses] == [404] * len(methods)
    rival_key.refresh_from_db()
    assert rival_key.is_active and PrivateKey.objects.count() == 1


def test_it_sends_a_stranger_without_an_organization_to_404(db):
    client = Client()
    client.force_login(User.objects.create_user("nobody"))
    assert client.get(reverse("apikeys:list")).status_code == 404


def test_it_sends_an_anonymous_visitor_to_log_in(client, db):
    response = client.get(reverse("apikeys:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
