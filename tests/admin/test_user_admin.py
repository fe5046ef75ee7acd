from accounts.models import Membership, User

CHANGELIST = "/admin/accounts/user/"


def test_it_lets_a_superuser_add_a_user_by_email(superuser_client, client):
    response = superuser_client.post(
        f"{CHANGELIST}add/",
        {
            "email": "New.Person@Example.TEST",
            "name": "New Person",
            "usable_password": "true",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.test")
    assert user.name == "New Person" and user.check_password("a-long-unusual-passphrase")
    assert not user.is_staff


def test_it_refuses_an_email_taken_in_another_case(superuser_client, owner):
    response = superuser_client.post(
        f"{CHANGELIST}add/",
        {
            "email": "OWNER@acme.test",
            "usable_password": "true",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="owner@acme.test").count() == 1


def test_it_shows_a_user_with_their_accounts(support_client, owner):
    response = support_client.get(f"{CHANGELIST}{owner.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "owner@acme.test" in html and "Acme" in html and "Owner" in html
    assert 'name="email"' not in html  # read-only for support


def test_it_lets_support_look_but_not_change(support_client, support, owner):
    response = support_client.post(f"{CHANGELIST}{owner.pk}/change/", {"email": "x@evil.test"})
    assert response.status_code == 403
    assert support_client.post(f"{CHANGELIST}add/", {"email": "x@evil.test"}).status_code == 403
    response = support_client.post(
        f"{CHANGELIST}{support.pk}/change/", {"email": support.email, "is_superuser": "on"}
    )
    assert response.status_code == 403
    support.refresh_from_db()
    owner.refresh_from_db()
    assert owner.email == "owner@acme.test" and not support.is_superuser


def test_it_lets_a_superuser_make_a_user_staff(superuser_client, owner):
    response = superuser_client.post(
        f"{CHANGELIST}{owner.pk}/change/",
        {
            "email": "owner@acme.test",
            "name": "Olivia",
            "is_active": "on",
            "is_staff": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "00:00:00",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": str(owner.memberships.get().pk),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    owner.refresh_from_db()
    assert owner.is_staff and owner.name == "Olivia"


def test_it_refuses_to_delete_a_user_who_owns_an_account_and_says_why(superuser_client, account, owner):
    url = f"{CHANGELIST}{owner.pk}/delete/"
    response = superuser_client.get(url)
    assert response.status_code == 200
    assert response.context["protected"] and not response.context["perms_lacking"]
    assert "owner@acme.test owns Acme" in response.content.decode()
    response = superuser_client.post(url, {"post": "yes"})
    assert response.status_code == 200  # the same explanation, nothing deleted
    assert User.objects.filter(pk=owner.pk).exists()
    assert account.owner_membership.user == owner


def test_it_lets_a_superuser_delete_a_member_who_owns_nothing(superuser_client, account, manager):
    response = superuser_client.post(f"{CHANGELIST}{manager.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=manager.pk).exists()
    assert not Membership.objects.filter(user_id=manager.pk).exists()
