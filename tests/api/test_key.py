from django.utils import timezone

from tests.api.helpers import assert_error, call


def test_it_describes_the_key_and_its_account(client, account, full_key):
    key, secret = full_key
    response = call(client, "GET", "/api/key/", secret)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == str(key.public_id)
    assert data["name"] == "Full"
    assert data["scopes"] == key.scopes and "lists:write" in data["scopes"]
    assert data["created_at"].startswith(key.created_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert data["account"] == {"name": account.name, "public_key": account.public_key}
    assert secret not in response.content.decode() and key.digest not in response.content.decode()


def test_it_admits_any_active_key_whatever_its_scopes(client, custom_key):
    _, secret = custom_key
    response = call(client, "GET", "/api/key/", secret)
    assert response.status_code == 200
    assert response.json()["data"]["scopes"] == sorted(["campaigns:read", "campaigns:write", "profiles:read"])


def test_it_authenticates_a_good_key_in_one_query(client, full_key, django_assert_num_queries):
    key, secret = full_key
    key.last_used_at = timezone.now()  # used a moment ago: nothing to write
    key.save(update_fields=["last_used_at"])
    with django_assert_num_queries(1):
        response = call(client, "GET", "/api/key/", secret)
    assert response.status_code == 200


def test_it_rejects_other_methods_in_json(client, full_key):
    _, secret = full_key
    for method in ("POST", "PUT", "PATCH"):
        response = call(client, method, "/api/key/", secret, body={})
        assert_error(response, 405, "method_not_allowed")
        assert response["Allow"] == "DELETE, GET"
