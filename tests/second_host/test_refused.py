"""Refusals through DRF (ApiKeyAuthentication, HasScope) count against the key as the decorator's do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from apikeys import secrets, usage
from apikeys.contrib.drf import ApiKeyAuthentication, HasScope
from apikeys.models import PrivateKey
from tests.second_host.helpers import call, error

PROJECTS = "/api/projects/"
Refused = PrivateKey.Refused


@pytest.fixture(autouse=True)
def _no_usage_left_over():
    """Usage waits in this process's memory: forget what other tests counted."""
    usage.discard()
    yield
    usage.discard()


@pytest.fixture
def reader(organization, lead):
    """A key that may read projects but not write them, with its secret."""
    return PrivateKey.objects.issue(organization, "Reader", ["projects:read"], by=lead)


def counted(key) -> tuple[int, int]:
    series = usage.per_day([key], 1)[key.pk]
    return series.total, series.refused


def last_reason(key) -> str:
    key.refresh_from_db()
    return key.last_refused_reason


def test_it_counts_a_missing_scope_through_has_scope_as_refused(api, reader):
    key, secret = reader
    response = call(api, PROJECTS, secret, "post", name="Gemini")
    assert error(response) == (403, "insufficient_scope")
    assert "projects:write" in response.json()["errors"][0]["detail"]
    assert counted(key) == (1, 1)
    assert last_reason(key) == Refused.INSUFFICIENT_SCOPE


class ReadOnlyForKeys(APIView):
    permission_classes = [HasScope(read="projects:read")]

    def get(self, request):
        return Response({})

    def post(self, request):
        return Response({})


def test_it_counts_a_method_closed_to_keys_as_refused(reader):
    key, secret = reader
    view = ReadOnlyForKeys.as_view()
    request = APIRequestFactory().post("/", {}, format="json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = view(request)
    assert response.status_code == 403
    assert response.data["errors"][0] == {
        "status": "403",
        "code": "insufficient_scope",
        "detail": "POST is not open to API keys here.",
    }
    assert counted(key) == (1, 1)
    assert last_reason(key) == Refused.INSUFFICIENT_SCOPE


def test_it_counts_a_method_the_view_lacks_as_no_refusal(api, organization, lead):
    key, secret = PrivateKey.objects.issue(organization, "Org", ["organization:read"], by=lead)
    assert error(call(api, "/api/organization/", secret, "post")) == (405, "method_not_allowed")
    assert counted(key) == (1, 0)


def test_it_counts_an_inactive_keys_own_secret_as_refused(api, reader, lead):
    key, secret = reader
    key.deactivate(by=lead)
    response = call(api, PROJECTS, secret)
    assert error(response) == (401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"
    assert counted(key) == (1, 1)
    assert last_reason(key) == Refused.INACTIVE


def test_it_counts_a_request_from_outside_the_allowlist_as_refused(api, organization, lead):
    key, secret = PrivateKey.objects.issue(
        organization, "Fenced", ["projects:read"], by=lead, allowed_ips=["192.0.2.0/24"]
    )
    assert error(call(api, PROJECTS, secret)) == (403, "ip_not_allowed")  # from 127.0.0.1
    assert counted(key) == (1, 1)
    assert last_reason(key) == Refused.IP_NOT_ALLOWED


def test_it_counts_a_throttled_request_with_an_expired_keys_secret(api, reader, lead, settings):
    key, secret = reader
    key.roll(by=lead, grace=timedelta(0))
    for _ in range(settings.API_AUTH_FAILURE_LIMIT):
        assert error(call(api, PROJECTS, secret)) == (401, "not_authenticated")
    assert last_reason(key) == Refused.EXPIRED
    PrivateKey.objects.filter(pk=key.pk).update(last_refused_at=timezone.now() - timedelta(minutes=2))
    response = call(api, PROJECTS, secret)
    assert error(response) == (429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["Retry-After"] in response.json()["errors"][0]["detail"]
    assert counted(key) == (6, 6)
    assert last_reason(key) == Refused.THROTTLED


def test_it_counts_an_unknown_secret_nowhere(api, reader):
    key, _ = reader
    assert error(call(api, PROJECTS, secrets.generate())) == (401, "not_authenticated")
    with usage._lock:
        assert not usage._requests and not usage._refused


def test_it_counts_no_refusal_for_drfs_checks_of_other_methods(api, reader):
    key, secret = reader
    response = api.options(PROJECTS, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert "actions" not in response.json()  # DRF asked HasScope about POST, and was told no
    assert counted(key) == (1, 0)
    assert last_reason(key) == ""


def test_it_counts_one_refusal_when_drf_asks_twice_about_one_request(reader):
    key, secret = reader
    request = Request(
        APIRequestFactory().post("/", HTTP_AUTHORIZATION=f"Bearer {secret}"),
        authenticators=[ApiKeyAuthentication()],
    )
    permission = HasScope("projects:write")()
    assert permission.has_permission(request, None) is False
    assert permission.has_permission(request, None) is False  # as the browsable API does for its forms
    assert counted(key) == (1, 1)


def test_it_counts_a_good_request_as_served(api, reader, django_assert_num_queries):
    key, secret = reader
    call(api, PROJECTS, secret)  # writes last use
    with django_assert_num_queries(2):  # the key, then the view's projects
        assert call(api, PROJECTS, secret).status_code == 200
    assert counted(key) == (2, 0)
