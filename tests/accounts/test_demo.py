import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import F, Sum
from django.test import Client
from django.utils import timezone

from accounts.models import Account, Membership, User
from accounts.roles import Role
from apikeys import scopes
from apikeys.models import KeyEvent, KeyUsage, PrivateKey

DEMO_ROLES = {
    ("owner@demo.test", "Demo Store"): Role.OWNER,
    ("admin@demo.test", "Demo Store"): Role.ADMIN,
    ("manager@demo.test", "Demo Store"): Role.MANAGER,
    ("analyst@demo.test", "Demo Store"): Role.ANALYST,
    ("other@demo.test", "Other Shop"): Role.OWNER,
}
LOGINS = [email for email, _ in DEMO_ROLES] + ["support@demo.test"]


def demo(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return User.objects.count(), Account.objects.count(), Membership.objects.count()


def roles() -> dict:
    return {
        (m.user.email, m.account.name): m.role for m in Membership.objects.select_related("user", "account")
    }


def test_it_creates_the_demo_accounts_and_roles(db):
    demo("--password", "demo-pass-1234")
    assert roles() == DEMO_ROLES
    assert counts() == (6, 2, 5)


def test_it_makes_support_a_staff_user_without_an_account(db):
    demo("--password", "demo-pass-1234")
    support = User.objects.get(email="support@demo.test")
    assert support.is_staff
    assert not support.memberships.exists()
    assert not User.objects.exclude(email="support@demo.test").filter(is_staff=True).exists()


def test_it_emails_nobody_about_the_demos_made_up_history(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        demo()
    assert PrivateKey.objects.exists() and callbacks == [] and mail.outbox == []


def test_it_is_idempotent(db):
    demo()
    first = (counts(), roles(), dict(Account.objects.values_list("name", "public_key")))
    demo()
    assert (counts(), roles(), dict(Account.objects.values_list("name", "public_key"))) == first


def test_it_sets_the_given_password(db):
    demo("--password", "demo-pass-1234")
    for email in LOGINS:
        assert Client().login(username=email, password="demo-pass-1234"), email


def test_it_prints_the_url_and_the_logins(db):
    out = demo("--password", "demo-pass-1234")
    assert "http://127.0.0.1:8000/login/" in out
    for email in LOGINS:
        assert re.search(rf"{re.escape(email)} .*password: demo-pass-1234", out), email


def test_it_prints_the_port_make_run_serves_on(db, monkeypatch):
    monkeypatch.setenv("PORT", "8765")
    assert "http://127.0.0.1:8765/login/" in demo()


def test_it_generates_and_prints_a_password_when_none_is_given(db):
    out = demo()
    passwords = set(re.findall(r"password: (\S+)", out))
    assert len(passwords) == 1
    password = passwords.pop()
    assert len(password) >= 12
    assert Client().login(username="owner@demo.test", password=password)
    assert password not in demo()  # a new one each run


def test_it_lets_the_demo_users_log_in_through_the_form(client, db):
    demo("--password", "demo-pass-1234")
    response = client.post("/login/", {"username": "Admin@Demo.test", "password": "demo-pass-1234"})
    assert response["Location"] == "/settings/"
    assert client.get("/settings/api-keys/").status_code == 200


def test_it_restores_the_demo_roles_after_ownership_moved(db):
    demo("--password", "demo-pass-1234")
    store = Account.objects.get(name="Demo Store")
    # As a transfer does it: the owner steps down first, then the admin steps up.
    Membership.objects.filter(account=store, user__email="owner@demo.test").update(role=Role.ADMIN)
    Membership.objects.filter(account=store, user__email="admin@demo.test").update(role=Role.OWNER)
    demo("--password", "demo-pass-1234")
    assert roles() == DEMO_ROLES


def test_it_keeps_members_added_while_trying_the_demo(db):
    demo("--password", "demo-pass-1234")
    store = Account.objects.get(name="Demo Store")
    newcomer = User.objects.create_user("new@demo.test", "pw-0123456789")
    Membership.objects.filter(account=store, role=Role.OWNER).update(role=Role.ADMIN)
    Membership.objects.create(account=store, user=newcomer, role=Role.OWNER)
    demo("--password", "demo-pass-1234")
    assert roles() == {**DEMO_ROLES, ("new@demo.test", "Demo Store"): Role.ADMIN}


@pytest.mark.parametrize("password", ["", None])
def test_it_never_leaves_a_login_without_a_password(db, password):
    demo(*(["--password", password] if password is not None else []))
    assert all(user.has_usable_password() for user in User.objects.all())
    assert not Client().login(username="owner@demo.test", password="")


def test_it_gives_demo_store_a_key_of_each_kind_with_a_month_of_history(db):
    demo()
    keys = {key.name: key for key in PrivateKey.objects.filter(account__name="Demo Store", rolled_to=None)}
    statuses = {key.status for key in PrivateKey.objects.all()}
    assert {
        "Storefront",
        "Reporting dashboard",
        "Zapier",
        "Warehouse sync",
        "Checkout",
        "Old mobile app",
    } <= set(keys)
    assert {"active", "inactive"} <= statuses
    assert keys["Warehouse sync"].expires_soon
    assert PrivateKey.objects.get(
        name="Checkout", rolled_to__isnull=False
    ).expires_soon  # in its grace period
    assert keys["Old mobile app"].deactivation_reason
    assert {key.access_summary for key in keys.values()} >= {"Full access", "Read-only"}
    assert KeyUsage.objects.filter(key=keys["Storefront"]).count() == 30
    oldest = KeyEvent.objects.order_by("created_at").first().created_at
    assert oldest < timezone.now() - timedelta(days=25)
    assert not PrivateKey.objects.filter(account__name="Other Shop").exists()


def test_it_gives_demo_store_some_refused_requests(db):
    demo()
    keys = {key.name: key for key in PrivateKey.objects.filter(account__name="Demo Store", rolled_to=None)}
    refused = dict(KeyUsage.objects.values_list("key__name").annotate(n=Sum("refused")).order_by())
    assert refused["Zapier"] > 0 and refused["Reporting dashboard"] > 0 and refused["Storefront"] == 0
    mobile = KeyUsage.objects.filter(
        key=keys["Old mobile app"], day__gte=timezone.now().date() - timedelta(days=3)
    )
    assert all(row.refused == row.requests > 0 for row in mobile)  # all refused since it was deactivated
    assert not KeyUsage.objects.filter(refused__gt=F("requests")).exists()
    assert (keys["Zapier"].last_refused_reason, keys["Old mobile app"].last_refused_reason) == (
        PrivateKey.Refused.IP_NOT_ALLOWED,
        PrivateKey.Refused.INACTIVE,
    )


def test_it_seeds_the_keys_only_once(db):
    demo()
    before = (
        PrivateKey.objects.count(),
        KeyEvent.objects.count(),
        list(KeyUsage.objects.order_by("pk").values_list("requests", "refused")),
    )
    demo()
    after = (
        PrivateKey.objects.count(),
        KeyEvent.objects.count(),
        list(KeyUsage.objects.order_by("pk").values_list("requests", "refused")),
    )
    assert after == before


def test_it_tells_each_key_s_story_with_times_that_agree(db):
    demo("--password", "demo-pass-1234")
    for key in PrivateKey.objects.all():
        events = {event.action: event.created_at for event in key.events.all()}
        assert key.created_at == min(events.values()), key
        if key.last_used_at:
            assert key.last_used_at > key.created_at, key
        if key.rolled_at:
            assert key.rolled_at == events["rolled"] == key.rolled_to.created_at, key
        if key.deactivated_at:
            assert key.deactivated_at == events["deactivated"] < timezone.now() - timedelta(days=1), key


def test_it_warns_the_owner_of_both_expiring_keys_right_away(client, db):
    demo("--password", "demo-pass-1234")
    client.login(username="owner@demo.test", password="demo-pass-1234")
    assert "2 API keys stop working within 7 days." in client.get("/settings/").content.decode()


def test_it_gives_each_key_scopes_its_page_shows_as_they_are(db):
    demo("--password", "demo-pass-1234")
    for key in PrivateKey.objects.all():
        levels = {resource.name: level for resource, level in key.scope_levels}
        assert sorted(scopes.scopes_from_levels(levels)) == sorted(key.scopes), key
