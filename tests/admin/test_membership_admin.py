from accounts.models import Membership
from accounts.roles import Role

CHANGELIST = "/admin/accounts/membership/"


def change_url(membership):
    return f"{CHANGELIST}{membership.pk}/change/"


def test_it_lists_and_searches_memberships(support_client, account, manager):
    response = support_client.get(CHANGELIST, {"q": "manager@acme"})
    assert response.status_code == 200
    assert [m.user for m in response.context["cl"].result_list] == [manager]


def test_it_lets_support_look_but_not_change(support_client, manager):
    membership = manager.memberships.get()
    assert support_client.get(change_url(membership)).status_code == 200
    response = support_client.post(
        change_url(membership), {"user": manager.pk, "account": membership.account_id, "role": "admin"}
    )
    assert response.status_code == 403
    assert support_client.post(f"{CHANGELIST}add/", {}).status_code == 403
    assert support_client.post(f"{CHANGELIST}{membership.pk}/delete/", {"post": "yes"}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER


def test_it_lets_a_superuser_change_a_role(superuser_client, manager):
    membership = manager.memberships.get()
    response = superuser_client.post(
        change_url(membership), {"user": manager.pk, "account": membership.account_id, "role": "admin"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_it_refuses_a_second_owner_with_a_form_error(superuser_client, manager, owner):
    membership = manager.memberships.get()
    response = superuser_client.post(
        change_url(membership), {"user": manager.pk, "account": membership.account_id, "role": "owner"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER
    assert Membership.objects.filter(role=Role.OWNER).get().user == owner
