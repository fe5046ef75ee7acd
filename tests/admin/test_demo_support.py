"""`manage.py demo` makes support@demo.test a member of the Support group, ready for the admin."""

from io import StringIO

from django.core.management import call_command
from django.test import Client

from accounts.models import Account, User
from apikeys import scopes
from apikeys.models import PrivateKey
from tests.factories import login_with_two_factor

PASSWORD = "demo-password-for-tests"


def test_it_puts_the_demo_support_login_in_the_support_group(client, support_group):
    call_command("demo", password=PASSWORD, stdout=StringIO())
    support = User.objects.get(email="support@demo.test")
    assert support.is_staff and not support.is_superuser
    assert list(support.groups.values_list("name", flat=True)) == ["Support"]
    assert support.has_perm("apikeys.deactivate_privatekey")


def test_it_lets_demo_support_deactivate_a_key_found_by_its_last_characters_for_the_owner_to_see(
    client, support_group
):
    call_command("demo", password=PASSWORD, stdout=StringIO())
    owner = User.objects.get(email="owner@demo.test")
    key, _ = PrivateKey.objects.issue(
        Account.objects.get(name="Demo Store"), "Shop sync", scopes.READ_ONLY, owner
    )
    assert client.login(email="support@demo.test", password=PASSWORD)  # the demo's password works
    login_with_two_factor(client, User.objects.get(email="support@demo.test"))  # the admin needs 2FA
    found = client.get("/admin/apikeys/privatekey/", {"q": key.hint}).context["cl"].result_list
    assert list(found) == [key]
    response = client.post(f"/admin/apikeys/privatekey/{key.pk}/deactivate/", {"reason": "Leaked on a forum"})
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.deactivated_by.email == "support@demo.test" and key.deactivation_reason == "Leaked on a forum"
    # The owner sees on the tab who deactivated the key and why.
    owner_client = Client()
    owner_client.force_login(owner)
    for page in ("/settings/api-keys/", f"/settings/api-keys/{key.public_id}/"):
        html = owner_client.get(page).content.decode()
        assert "support@demo.test" in html and "Leaked on a forum" in html, page
