"""GET /settings/users/: members, pending invitations and activity; read-only below admin."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Invitation, Membership
from tests.factories import MembershipFactory

URL = "/settings/users/"


def membership(user, account) -> Membership:
    return user.memberships.get(account=account)


def test_it_lists_members_with_name_email_role_and_dates(client, account, owner, admin, manager):
    owner.last_login = timezone.now() - timedelta(days=2)
    owner.save(update_fields=["last_login"])
    client.force_login(admin)  # force_login sets admin's last login to now
    page = client.get(URL).content.decode()
    for user in (owner, admin, manager):
        assert user.email in page
        assert user.name in page
    assert "Owner</span>" in page
    assert "2\xa0days ago" in page
    assert "Never" in page  # the manager has never logged in


def test_it_lists_only_the_current_accounts_members(client, owner, manager, outsider):
    client.force_login(owner)
    page = client.get(URL).content.decode()
    assert manager.email in page
    assert outsider.email not in page


def test_it_lists_pending_invitations_separately(client, account, owner):
    by = membership(owner, account)
    Invitation.objects.issue(account, "pending@new.test", "analyst", by=by)
    expired, _ = Invitation.objects.issue(account, "expired@new.test", "manager", by=by)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    revoked, _ = Invitation.objects.issue(account, "revoked@new.test", "manager", by=by)
    revoked.revoke(by=by)
    client.force_login(owner)
    page = client.get(URL).content.decode()
    invitations = page[page.index("Pending invitations") :]
    assert "pending@new.test" in invitations
    assert "expired@new.test" in invitations
    assert "Expired</span>" in invitations
    assert "revoked@new.test" not in invitations.split("Activity")[0]


def test_it_offers_the_owner_every_control(client, account, owner, admin, manager):
    client.force_login(owner)
    page = client.get(URL).content.decode()
    admin_id, manager_id = membership(admin, account).public_id, membership(manager, account).public_id
    assert 'action="/settings/users/invite/"' in page
    assert f'action="/settings/users/{manager_id}/role/"' in page
    assert f'href="/settings/users/{manager_id}/remove/"' in page
    assert f'href="/settings/users/{admin_id}/transfer/"' in page
    assert f"/settings/users/{manager_id}/transfer/" not in page  # ownership only goes to an admin
    assert f"/settings/users/{membership(owner, account).public_id}/" not in page  # nothing on your own row
    assert 'href="/settings/users/leave/"' not in page  # the owner cannot leave
    assert "transfer ownership to an admin before you can leave" in page


def test_it_marks_an_actions_cell_with_nothing_in_it_so_phones_hide_its_label(
    client, account, owner, manager
):
    client.force_login(owner)
    page = client.get(URL).content.decode()
    cells = page.count('data-label="Actions" class="row-actions')
    blank = page.count('data-label="Actions" class="row-actions is-blank"')
    assert (cells, blank) == (2, 1)  # the owner's own row has no action; the manager's has Remove


def test_it_offers_an_admin_nothing_on_the_owners_row(client, account, owner, admin, manager):
    client.force_login(admin)
    page = client.get(URL).content.decode()
    owner_id = membership(owner, account).public_id
    assert f"/settings/users/{owner_id}/" not in page
    assert "/transfer/" not in page
    assert f'/settings/users/{membership(manager, account).public_id}/remove/"' in page
    assert 'href="/settings/users/leave/"' in page


def test_it_is_read_only_for_members_who_cannot_manage_users(client, account, owner, admin, manager):
    Invitation.objects.issue(account, "pending@new.test", "analyst", by=membership(owner, account))
    client.force_login(manager)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert admin.email in page
    assert "pending@new.test" in page
    assert "<form" not in page.split('class="settings-body"')[1]
    assert "/remove/" not in page
    assert "/resend/" not in page
    assert "Activity" not in page
    assert "Only the owner and admins can invite members" in page
    assert 'href="/settings/users/leave/"' in page


def test_it_shows_the_activity_with_ip_to_owners_and_admins(client, account, owner, manager):
    membership(manager, account).change_role("analyst", by=membership(owner, account), ip="203.0.113.9")
    client.force_login(owner)
    page = client.get(URL).content.decode()
    activity = page[page.index("<h2>Activity</h2>") :]
    assert f"{owner.email} changed {manager.email}&#x27;s role from Manager to Analyst" in activity
    assert "from 203.0.113.9" in activity


def test_it_uses_three_queries_more_than_the_account_tab_however_many_members(client, account, owner):
    by = membership(owner, account)
    for n in range(6):
        MembershipFactory(account=account).change_role("analyst", by=by)
        Invitation.objects.issue(account, f"invitee{n}@new.test", "analyst", by=by)
    client.force_login(owner)
    client.get(URL)  # the first request after login saves a new session

    def count_queries(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    # members with their users, invitations with their inviters, events: never one query per row
    assert count_queries(URL) == count_queries("/settings/") + 3
