import pytest

from accounts.models import AccountEvent, Membership
from accounts.roles import Role
from tests.factories import AccountFactory

OWNERSHIP_HELP = "transfers ownership to an admin in the product's Users tab"

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


def owner_membership(owner):
    return owner.memberships.get()


def assert_one_owner(account, owner):
    assert list(account.memberships.filter(role=Role.OWNER).values_list("user", flat=True)) == [owner.pk]


def test_it_refuses_to_change_the_owners_role_with_a_form_error(superuser_client, account, owner):
    membership = owner_membership(owner)
    response = superuser_client.post(
        change_url(membership), {"user": owner.pk, "account": account.pk, "role": "admin"}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "owner@acme.test is the owner of Acme" in errors["role"][0]
    assert OWNERSHIP_HELP in errors["role"][0]
    assert OWNERSHIP_HELP in response.content.decode().replace("&#x27;", "'")
    assert_one_owner(account, owner)


def test_it_refuses_to_move_the_owners_membership_to_another_account(
    superuser_client, account, owner, other_account
):
    membership = owner_membership(owner)
    response = superuser_client.post(
        change_url(membership), {"user": owner.pk, "account": other_account.pk, "role": "owner"}
    )
    assert response.status_code == 200
    assert "account" in response.context["adminform"].form.errors
    assert_one_owner(account, owner)


def test_it_refuses_to_hand_the_owners_membership_to_another_user(superuser_client, account, owner, admin):
    membership = owner_membership(owner)
    response = superuser_client.post(
        change_url(membership), {"user": admin.pk, "account": account.pk, "role": "owner"}
    )
    assert response.status_code == 200
    assert OWNERSHIP_HELP in response.context["adminform"].form.errors["user"][0]
    assert_one_owner(account, owner)


def test_it_explains_why_a_second_owner_is_refused(superuser_client, account, owner, admin):
    membership = admin.memberships.get()
    response = superuser_client.post(
        change_url(membership), {"user": admin.pk, "account": account.pk, "role": "owner"}
    )
    assert response.status_code == 200
    error = response.context["adminform"].form.errors["role"][0]
    assert "Acme already has an owner, owner@acme.test." in error and OWNERSHIP_HELP in error
    assert_one_owner(account, owner)


def test_it_lets_a_superuser_give_an_account_without_owner_its_owner(superuser_client, manager):
    newco = AccountFactory(name="Newco")
    response = superuser_client.post(
        f"{CHANGELIST}add/", {"user": manager.pk, "account": newco.pk, "role": "owner"}
    )
    assert response.status_code == 302
    assert newco.owner_membership.user == manager


def test_it_refuses_to_delete_the_owners_membership(superuser_client, account, owner):
    membership = owner_membership(owner)
    assert superuser_client.get(change_url(membership)).context["has_delete_permission"] is False
    assert superuser_client.get(f"{CHANGELIST}{membership.pk}/delete/").status_code == 403
    assert superuser_client.post(f"{CHANGELIST}{membership.pk}/delete/", {"post": "yes"}).status_code == 403
    assert_one_owner(account, owner)


def test_it_lets_a_superuser_delete_another_members_membership(superuser_client, account, manager):
    membership = manager.memberships.get()
    response = superuser_client.post(f"{CHANGELIST}{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_it_refuses_a_bulk_deletion_that_includes_an_owner_and_deletes_nothing(
    superuser_client, account, owner, manager
):
    selected = [str(owner_membership(owner).pk), str(manager.memberships.get().pk)]
    for confirmed in ({}, {"post": "yes"}):
        response = superuser_client.post(
            CHANGELIST,
            {"action": "delete_selected", "_selected_action": selected, **confirmed},
            follow=True,
        )
        assert response.status_code == 200
        message = [str(m) for m in response.context["messages"]]
        assert len(message) == 1 and "Nothing deleted" in message[0] and "owner@acme.test" in message[0]
        assert OWNERSHIP_HELP in message[0]
        assert account.memberships.count() == 2
    assert_one_owner(account, owner)


def test_it_bulk_deletes_memberships_of_members_who_do_not_own(
    superuser_client, account, owner, manager, admin
):
    selected = [str(manager.memberships.get().pk), str(admin.memberships.get().pk)]
    data = {"action": "delete_selected", "_selected_action": selected}
    response = superuser_client.post(CHANGELIST, data)
    assert response.status_code == 200
    assert response.context["title"] == "Delete multiple objects"  # the confirmation page
    response = superuser_client.post(CHANGELIST, {**data, "post": "yes"})
    assert response.status_code == 302
    assert list(account.memberships.values_list("user", flat=True)) == [owner.pk]


def _make_owner(client, *memberships):
    return client.post(
        CHANGELIST,
        {"action": "make_owner", "_selected_action": [m.pk for m in memberships]},
        follow=True,
        REMOTE_ADDR="192.0.2.9",
    )


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_it_lets_a_superuser_hand_the_account_to_an_admin(superuser_client, superuser, account, owner, admin):
    response = _make_owner(superuser_client, admin.memberships.get())
    assert _messages(response) == [f"{admin.email} is now the owner of Acme; the previous owner is an admin."]
    roles_now = dict(account.memberships.values_list("user__email", "role"))
    assert roles_now[admin.email] == Role.OWNER and roles_now[owner.email] == Role.ADMIN
    events = AccountEvent.objects.filter(account=account).order_by("id")
    assert [(e.target_label, e.old_role, e.new_role, e.actor, e.ip_address) for e in events] == [
        (owner.email, Role.OWNER, Role.ADMIN, superuser, "192.0.2.9"),
        (admin.email, Role.ADMIN, Role.OWNER, superuser, "192.0.2.9"),
    ]


def test_it_hands_an_account_with_no_owner_to_an_admin(superuser_client, admin, account, owner):
    owner.memberships.all().delete()  # e.g. an account added in the admin before anyone owned it
    _make_owner(superuser_client, admin.memberships.get())
    assert admin.memberships.get().role == Role.OWNER


@pytest.mark.parametrize("who", ["manager", "owner"])
def test_it_refuses_to_make_owner_anyone_but_an_admin(superuser_client, account, owner, manager, who):
    target = {"manager": manager, "owner": owner}[who].memberships.get()
    before = list(account.memberships.order_by("pk").values_list("pk", "role"))
    response = _make_owner(superuser_client, target)
    [message] = _messages(response)
    assert message.startswith(f"{target.user} was not made owner:")
    assert list(account.memberships.order_by("pk").values_list("pk", "role")) == before
    assert not AccountEvent.objects.exists()


def test_it_makes_owner_one_membership_at_a_time(superuser_client, account, owner, admin, manager):
    before = list(account.memberships.order_by("pk").values_list("pk", "role"))
    response = _make_owner(superuser_client, admin.memberships.get(), manager.memberships.get())
    assert _messages(response) == ["Select exactly one membership: the admin who becomes owner."]
    assert list(account.memberships.order_by("pk").values_list("pk", "role")) == before


def test_it_does_not_offer_support_staff_the_owner_action(support_client, admin):
    response = support_client.get(CHANGELIST)
    assert "make_owner" not in response.content.decode()
    assert _make_owner(support_client, admin.memberships.get()).status_code == 200
    assert admin.memberships.get().role == Role.ADMIN
