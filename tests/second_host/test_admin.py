"""Orbit's support staff in the app's admin: they see keys, never a secret, and may deactivate one."""

from django.test import Client
from django.urls import reverse

from apikeys.models import PrivateKey
from tests.second_host.helpers import call, create_key, error


def test_it_shows_support_the_key_but_never_its_secret(lead_client, support):
    key, secret = create_key(lead_client, projects="read")
    staff = Client()
    staff.force_login(support)
    pages = [
        staff.get(reverse("admin:apikeys_privatekey_changelist"), {"q": "Orbit Labs"}),
        staff.get(reverse("admin:apikeys_privatekey_change", args=[key.pk])),
    ]
    assert [page.status_code for page in pages] == [200, 200]
    for page in pages:
        html = page.content.decode()
        assert key.name in html and key.masked in html
        assert secret not in html and key.digest not in html


def test_it_lets_support_deactivate_a_key(lead_client, support, api):
    key, secret = create_key(lead_client, projects="read")
    staff = Client()
    staff.force_login(support)
    url = reverse("admin:apikeys_privatekey_change", args=[key.pk]).replace("/change/", "/deactivate/")
    response = staff.post(url, {"reason": "Reported leaked by the customer"})
    key.refresh_from_db()
    assert response.status_code == 302
    assert (key.is_active, key.deactivation_reason) == (False, "Reported leaked by the customer")
    assert error(call(api, "/api/projects/", secret)) == (401, "not_authenticated")


def test_it_lets_support_neither_add_nor_edit_keys(support, lead_client):
    key, _ = create_key(lead_client, projects="read")
    staff = Client()
    staff.force_login(support)
    assert staff.get(reverse("admin:apikeys_privatekey_add")).status_code == 403
    staff.post(reverse("admin:apikeys_privatekey_change", args=[key.pk]), {"name": "Renamed"})
    assert PrivateKey.objects.get().name == key.name
