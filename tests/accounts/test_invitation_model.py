"""Invitation: digest-only tokens, states, one pending invitation per address, single use."""

import hashlib
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import AccountEvent, Invitation, Membership, User
from accounts.roles import NotAllowed, Role
from tests.factories import UserFactory


@pytest.fixture
def by(account, owner) -> Membership:
    """The owner's membership, who sends the invitations."""
    return owner.memberships.get()


def test_it_stores_only_the_sha256_of_the_token(account, by):
    invitation, token = Invitation.objects.issue(account, "New@New.test", Role.ANALYST, by=by)
    assert len(token) >= 40
    assert invitation.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    assert invitation.email == "new@new.test"


def test_it_finds_an_invitation_by_its_token_only(account, by):
    invitation, token = Invitation.objects.issue(account, "new@new.test", Role.ANALYST, by=by)
    assert Invitation.objects.for_token(token) == invitation
    assert Invitation.objects.for_token(token.upper()) is None
    assert Invitation.objects.for_token("") is None
    assert Invitation.objects.for_token(invitation.token_digest) is None  # the digest is no key
    assert Invitation.objects.for_token("x" * 10_000) is None


def test_it_gives_every_invitation_its_own_token(account, by):
    tokens = {Invitation.objects.issue(account, f"n{n}@new.test", Role.ANALYST, by=by)[1] for n in range(20)}
    assert len(tokens) == 20


def test_it_expires_after_seven_days(account, by):
    invitation, _ = Invitation.objects.issue(account, "new@new.test", Role.ANALYST, by=by)
    assert invitation.expires_at - invitation.sent_at == timedelta(days=7)
    assert invitation.status == Invitation.Status.PENDING
    invitation.expires_at = timezone.now()
    assert invitation.status == Invitation.Status.EXPIRED
    assert not invitation.is_usable


def test_it_is_used_up_by_accepting(account, by):
    invitation, _ = Invitation.objects.issue(account, "new@new.test", Role.ANALYST, by=by)
    user = User(email="new@new.test")
    user.set_password("plum-kettle-orbit-42")
    membership = invitation.accept(user)
    assert (membership.account, membership.user, membership.role) == (account, user, Role.ANALYST)
    assert invitation.status == Invitation.Status.ACCEPTED
    with pytest.raises(NotAllowed, match="already been used"):
        Invitation.objects.get(pk=invitation.pk).accept(UserFactory(email="new2@new.test"))
    assert Membership.objects.filter(account=account).count() == 2


def test_it_decides_on_the_stored_state_not_the_callers_copy(account, by):
    invitation, _ = Invitation.objects.issue(account, "new@new.test", Role.ANALYST, by=by)
    stale = Invitation.objects.get(pk=invitation.pk)
    invitation.revoke(by=by)
    with pytest.raises(NotAllowed, match="revoked"):
        stale.accept(UserFactory(email="new@new.test"))
    assert not Membership.objects.filter(user__email="new@new.test").exists()


def test_it_refuses_another_address(account, by):
    invitation, _ = Invitation.objects.issue(account, "new@new.test", Role.ANALYST, by=by)
    with pytest.raises(NotAllowed, match="is for new@new.test"):
        invitation.accept(UserFactory(email="other@new.test"))
    assert invitation.is_usable


def test_it_refuses_a_new_login_for_an_address_that_has_one(account, by):
    invitation, _ = Invitation.objects.issue(account, "new@new.test", Role.ANALYST, by=by)
    UserFactory(email="new@new.test")
    with pytest.raises(NotAllowed, match="already has a login"):
        invitation.accept(User(email="NEW@new.test"))
    assert User.objects.filter(email__iexact="new@new.test").count() == 1


def pretend_not_found(monkeypatch, model) -> None:
    """Make every ``exists()`` on ``model`` answer False: what a check sees before a concurrent commit."""
    exists = QuerySet.exists
    monkeypatch.setattr(QuerySet, "exists", lambda qs: False if qs.model is model else exists(qs))


def test_it_refuses_a_login_created_meanwhile(account, by, monkeypatch):
    """A sign-up with the same address committed between the check and the insert: a refusal."""
    invitation, _ = Invitation.objects.issue(account, "new@new.test", Role.ANALYST, by=by)
    UserFactory(email="new@new.test")
    pretend_not_found(monkeypatch, User)
    with pytest.raises(NotAllowed, match="already has a login"):
        invitation.accept(User(email="NEW@new.test"))
    assert User.objects.filter(email__iexact="new@new.test").count() == 1
    assert Invitation.objects.get(pk=invitation.pk).is_usable


def test_it_refuses_a_user_who_became_a_member_meanwhile(account, by, monkeypatch):
    """The user was added to the account between the check and the insert: a refusal, nothing changed."""
    invitation, _ = Invitation.objects.issue(account, "new@new.test", Role.ANALYST, by=by)
    user = UserFactory(email="new@new.test")
    Membership.objects.create(account=account, user=user, role=Role.MANAGER)
    events = AccountEvent.objects.count()
    pretend_not_found(monkeypatch, Membership)
    with pytest.raises(NotAllowed, match="You are already a member of Acme."):
        invitation.accept(user)
    assert Membership.objects.filter(account=account, user=user).get().role == Role.MANAGER
    assert Invitation.objects.get(pk=invitation.pk).is_usable
    assert AccountEvent.objects.count() == events


def test_it_keeps_one_pending_invitation_per_address(account, by):
    Invitation.objects.issue(account, "new@new.test", Role.ANALYST, by=by)
    with pytest.raises(NotAllowed, match="already been invited"):
        Invitation.objects.issue(account, "NEW@new.test", Role.ADMIN, by=by)
    assert Invitation.objects.count() == 1


def test_it_refuses_inviting_an_owner_in_the_database_too(account, owner, by):
    with pytest.raises(NotAllowed):
        Invitation.objects.issue(account, "new@new.test", Role.OWNER, by=by)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            account=account,
            email="x@new.test",
            role=Role.OWNER,
            token_digest="0" * 64,
            expires_at=timezone.now(),
        )


def test_it_refuses_invitations_from_members_who_cannot_manage_users(account, manager):
    with pytest.raises(NotAllowed, match="Only the owner and admins"):
        Invitation.objects.issue(account, "new@new.test", Role.ANALYST, by=manager.memberships.get())
    assert not Invitation.objects.exists()


def test_it_refuses_invitations_from_a_member_demoted_meanwhile(account, owner, admin):
    stale = admin.memberships.get()
    Membership.objects.filter(pk=stale.pk).update(role=Role.ANALYST)
    with pytest.raises(NotAllowed, match="Only the owner and admins"):
        Invitation.objects.issue(account, "new@new.test", Role.ANALYST, by=stale)


def test_it_describes_events_in_words(account, by, manager):
    Invitation.objects.issue(account, "new@new.test", Role.ADMIN, by=by)
    manager.memberships.get().change_role(Role.SUPPORT, by=by)
    latest, first = account.events.all()
    assert first.description == "owner@acme.test invited new@new.test as Admin"
    assert latest.description == "owner@acme.test changed manager@acme.test's role from Manager to Support"
