from __future__ import annotations

import hashlib
import secrets
import string
import uuid
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from accounts import roles
from accounts.roles import Role
from apikeys.forms import lifetime_label
from apikeys.validators import refuse_control_characters


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        """Log in with any capitalisation of the address."""
        return self.get(email__iexact=email)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address (no username)."""

    email = models.EmailField(
        "email address", max_length=254, unique=True, validators=[refuse_control_characters]
    )
    name = models.CharField(max_length=150, blank=True, validators=[refuse_control_characters])
    is_staff = models.BooleanField("staff status", default=False, help_text="Can log into the admin site.")
    is_active = models.BooleanField("active", default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # The account chosen last (switcher, deep link, invitation), current again at the next log-in.
    last_account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name or self.email


PUBLIC_KEY_ALPHABET = string.ascii_letters + string.digits
PUBLIC_KEY_LENGTH = 6


def generate_public_key() -> str:
    return "".join(secrets.choice(PUBLIC_KEY_ALPHABET) for _ in range(PUBLIC_KEY_LENGTH))


class AccountQuerySet(models.QuerySet):
    def for_user(self, user):
        """Return the accounts the user is a member of."""
        return self.filter(memberships__user=user)


class Account(models.Model):
    """A customer of the SaaS; its public key (site ID) identifies it to client-side code."""

    name = models.CharField(max_length=100, validators=[refuse_control_characters])
    public_key = models.CharField(max_length=PUBLIC_KEY_LENGTH, unique=True, editable=False)
    is_two_factor_required = models.BooleanField(
        "two-factor log-in required",
        default=False,
        help_text="Members who may manage keys or users must log in with a second factor.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The public key is part of the row's identity, set once at creation and never again.
        if not self.public_key:
            self.public_key = self._unused_public_key()
        super().save(*args, **kwargs)

    @classmethod
    def _unused_public_key(cls) -> str:
        while True:
            candidate = generate_public_key()
            if not cls.objects.filter(public_key=candidate).exists():
                return candidate

    @property
    def owner_membership(self):
        return self.memberships.select_related("user").filter(role=Role.OWNER).first()

    def require_two_factor(self, required: bool, *, by: Membership, has_two_factor: bool, ip=None) -> None:
        """Turn the two-factor policy on or off; raise roles.NotAllowed (changing nothing) if refused.

        ``has_two_factor`` says whether ``by`` logs in with a second factor: the policy cannot be turned on
        by someone it would lock out at once.
        """
        with transaction.atomic():
            actor = _lock_actor(by)
            roles.check_two_factor_policy(actor.role, required, has_two_factor=has_two_factor)
            locked = Account.objects.select_for_update().get(pk=self.pk)
            if locked.is_two_factor_required == required:
                return
            locked.is_two_factor_required = required
            locked.save(update_fields=["is_two_factor_required"])
            action = (
                AccountEvent.Action.TWO_FACTOR_REQUIRED
                if required
                else AccountEvent.Action.TWO_FACTOR_OPTIONAL
            )
            AccountEvent.objects.create(
                account=locked, actor=actor.user, actor_label=actor.user.email, action=action, ip_address=ip
            )
            self.is_two_factor_required = required


class Membership(models.Model):
    """A user's role in one account; access to every settings tab follows it."""

    Role = Role

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["account__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="membership_user_account_unique"),
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(role="owner"),
                name="membership_one_owner_per_account",
            ),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} of {self.account}"

    @property
    def can_manage_api_keys(self) -> bool:
        return roles.can_manage_api_keys(self.role)

    @property
    def can_manage_users(self) -> bool:
        return roles.can_manage_users(self.role)

    @property
    def can_transfer_ownership(self) -> bool:
        return roles.can_transfer_ownership(self.role)

    @property
    def can_set_two_factor_policy(self) -> bool:
        return roles.can_set_two_factor_policy(self.role)

    @property
    def must_use_two_factor(self) -> bool:
        """Return whether the account's policy asks this member for a second factor."""
        return self.account.is_two_factor_required and roles.must_use_two_factor(self.role)

    @property
    def can_leave(self) -> bool:
        return roles.allows(roles.check_leave, self.role)

    def change_role(self, role: str, *, by: Membership, ip=None) -> None:
        """Give this member another role; raise roles.NotAllowed (changing nothing) if the rules refuse."""
        with transaction.atomic():
            actor, target = self._lock_with(by)
            roles.check_change_role(actor.role, target.role, role, is_self=actor.pk == target.pk)
            old_role, target.role = target.role, role
            target.save(update_fields=["role"])
            target.record(AccountEvent.Action.ROLE_CHANGED, by=actor, ip=ip, old_role=old_role, new_role=role)
            self.role = role

    def remove(self, *, by: Membership, ip=None) -> None:
        """Take this member out of the account; raise roles.NotAllowed if the rules refuse."""
        with transaction.atomic():
            actor, target = self._lock_with(by)
            roles.check_remove(actor.role, target.role, is_self=actor.pk == target.pk)
            target.record(AccountEvent.Action.MEMBER_REMOVED, by=actor, ip=ip, old_role=target.role)
            target.delete()

    def leave(self, *, ip=None) -> None:
        """Leave the account; the owner must transfer ownership first (roles.NotAllowed)."""
        with transaction.atomic():
            locked = _lock_actor(self)
            roles.check_leave(locked.role)
            locked.record(AccountEvent.Action.MEMBER_LEFT, by=locked, ip=ip, old_role=locked.role)
            locked.delete()

    def make_owner(self, *, by: Membership, ip=None) -> None:
        """Make this admin the owner, in place of ``by`` (the owner), who becomes an admin.

        The old owner is demoted before the new one is promoted, both rows locked, so the
        "one owner per account" constraint holds at every step.
        """
        with transaction.atomic():
            actor, target = self._lock_with(by)
            roles.check_transfer(actor.role, target.role, is_self=actor.pk == target.pk)
            actor.role = Role.ADMIN
            actor.save(update_fields=["role"])
            target.role = Role.OWNER
            target.save(update_fields=["role"])
            target.record(
                AccountEvent.Action.OWNERSHIP_TRANSFERRED,
                by=actor,
                ip=ip,
                old_role=Role.ADMIN,
                new_role=Role.OWNER,
            )
            self.role, by.role = Role.OWNER, Role.ADMIN

    def make_owner_by_staff(self, *, staff, ip=None) -> None:
        """Make this admin the owner at a staff member's request (Django admin); the owner becomes an admin.

        For when the owner cannot transfer (they left, or lost access). Both rows locked, the old owner
        demoted first, as in ``make_owner``; recorded as two role changes by the staff member.
        """
        changed = AccountEvent.Action.ROLE_CHANGED
        with transaction.atomic():
            rows = Membership.objects.select_for_update().filter(
                models.Q(pk=self.pk) | models.Q(account_id=self.account_id, role=Role.OWNER)
            )
            locked = {row.pk: row for row in rows.order_by("pk")}
            target = locked.get(self.pk)
            if target is None:
                raise roles.NotAllowed("That person is no longer a member of this account.")
            roles.check_staff_transfer(target.role)
            for owner in [row for row in locked.values() if row.role == Role.OWNER]:
                owner.role = Role.ADMIN
                owner.save(update_fields=["role"])
                owner.record(changed, by=None, staff=staff, ip=ip, old_role=Role.OWNER, new_role=Role.ADMIN)
            target.role = Role.OWNER
            target.save(update_fields=["role"])
            target.record(changed, by=None, staff=staff, ip=ip, old_role=Role.ADMIN, new_role=Role.OWNER)
            self.role = Role.OWNER

    def record(
        self,
        action: str,
        *,
        by: Membership | None,
        ip=None,
        old_role: str = "",
        new_role: str = "",
        staff=None,
    ):
        """Append an account activity event with this member as its target (``staff``: a staff user acted)."""
        actor = staff or (by.user if by else None)
        return AccountEvent.objects.create(
            account_id=self.account_id,
            actor=actor,
            actor_label=actor.email if actor else "",
            target_user=self.user,
            target_label=self.user.email,
            action=action,
            old_role=old_role,
            new_role=new_role,
            ip_address=ip,
        )

    def _lock_with(self, by: Membership) -> tuple[Membership, Membership]:
        """Return fresh, locked copies of ``(by, self)``; roles are decided on these, never on stale rows."""
        if by.account_id != self.account_id:
            raise roles.NotAllowed("That person is not a member of this account.")
        locked = _lock_memberships(by, self)
        if by.pk not in locked:
            raise roles.NotAllowed("You are no longer a member of this account.")
        if self.pk not in locked:
            raise roles.NotAllowed("That person is no longer a member of this account.")
        return locked[by.pk], locked[self.pk]


def _lock_actor(by: Membership) -> Membership:
    locked = _lock_memberships(by).get(by.pk)
    if locked is None:
        raise roles.NotAllowed("You are no longer a member of this account.")
    return locked


def _lock_memberships(*memberships: Membership) -> dict[int, Membership]:
    """Lock the given memberships (in primary-key order, so two transactions never deadlock)."""
    rows = Membership.objects.select_for_update().filter(pk__in=[m.pk for m in memberships]).order_by("pk")
    return {row.pk: row for row in rows}


INVITATION_LIFETIME = timedelta(days=7)
INVITATION_LIFETIME_LABEL = lifetime_label(INVITATION_LIFETIME)  # as pages and emails say it


def invitation_token_digest(token: str) -> str:
    """Return the SHA-256 of an invitation token: the only form in which the token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        """Return invitations neither accepted nor revoked (expired ones too: they can be resent)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class InvitationManager(models.Manager.from_queryset(InvitationQuerySet)):
    def issue(self, account, email: str, role: str, by: Membership, *, ip=None) -> tuple[Invitation, str]:
        """Invite an address; return ``(invitation, token)`` for the email's link.

        An address with a login joins only by accepting while logged in as it, and nothing here depends on
        whether it has one: nobody is added without consent, and inviting tells nobody who has a login.
        """
        email = User.objects.normalize_email(email).strip().lower()
        token = secrets.token_urlsafe(32)
        with transaction.atomic():
            actor = _lock_actor(by)
            roles.check_invite(actor.role, role)
            if account.memberships.filter(user__email__iexact=email).exists():
                raise roles.NotAllowed(f"{email} is already a member of this account.")
            now = timezone.now()
            try:
                with transaction.atomic():
                    invitation = self.create(
                        account=account,
                        email=email,
                        role=role,
                        token_digest=invitation_token_digest(token),
                        invited_by=actor.user,
                        created_at=now,
                        sent_at=now,
                        expires_at=now + INVITATION_LIFETIME,
                    )
            except IntegrityError:
                raise roles.NotAllowed(
                    f"{email} has already been invited: resend the invitation instead."
                ) from None
            invitation.record(AccountEvent.Action.INVITED, by=actor, ip=ip)
        return invitation, token

    def for_token(self, token: str) -> Invitation | None:
        """Return the invitation (in any state) whose link carries ``token``, or None."""
        if not token or len(token) > 128:
            return None
        return (
            self.select_related("account", "invited_by")
            .filter(token_digest=invitation_token_digest(token))
            .first()
        )


class Invitation(models.Model):
    """An invitation by email to join an account; the link's token is single-use and expires."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        EXPIRED = "expired", "Expired"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254, validators=[refuse_control_characters])
    role = models.CharField(max_length=32, choices=Role.choices)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationManager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[role.value for role in roles.assignable_roles()]),
                name="invitation_role_not_owner",
            ),
        ]

    def __str__(self):
        return f"{self.email} · {self.get_role_display()} of {self.account}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.PENDING

    def resend(self, *, by: Membership, ip=None) -> str:
        """Replace the token (the old link stops working) and restart the lifetime; return the new token."""
        token = secrets.token_urlsafe(32)
        with transaction.atomic():
            actor, locked = _lock_actor(by), self._locked()
            roles.check_manage(actor.role)
            if locked.status in (self.Status.ACCEPTED, self.Status.REVOKED):
                raise roles.NotAllowed(
                    f"This invitation was {locked.get_status_display()}: invite again instead."
                )
            locked.token_digest = invitation_token_digest(token)
            locked.sent_at = timezone.now()
            locked.expires_at = locked.sent_at + INVITATION_LIFETIME
            locked.save(update_fields=["token_digest", "sent_at", "expires_at"])
            locked.record(AccountEvent.Action.INVITATION_RESENT, by=actor, ip=ip)
            self.token_digest, self.sent_at, self.expires_at = (
                locked.token_digest,
                locked.sent_at,
                locked.expires_at,
            )
        return token

    def revoke(self, *, by: Membership, ip=None) -> None:
        """Make the link stop working; raise roles.NotAllowed if it was already accepted or revoked."""
        with transaction.atomic():
            actor, locked = _lock_actor(by), self._locked()
            roles.check_manage(actor.role)
            if locked.status in (self.Status.ACCEPTED, self.Status.REVOKED):
                raise roles.NotAllowed(f"This invitation was already {locked.get_status_display()}.")
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            locked.record(AccountEvent.Action.INVITATION_REVOKED, by=actor, ip=ip)
            self.revoked_at = locked.revoked_at

    def accept(self, user: User, *, ip=None) -> Membership:
        """Join the account as ``user`` (saved here if new) and use the invitation up.

        Raise roles.NotAllowed, changing nothing, if the invitation is no longer usable, was sent to
        another address, or the user is already a member.
        """
        with transaction.atomic():
            locked = self._locked()
            if not locked.is_usable:
                raise roles.NotAllowed(self.refusal_for(locked.status))
            if user.email.lower() != locked.email:
                raise roles.NotAllowed(
                    f"This invitation is for {locked.email}, but you are logged in as {user.email}. "
                    "Log out, then open the link again."
                )
            has_login = f"{user.email} already has a login: log in, then open the link again."
            if user.pk is None:
                if User.objects.filter(email__iexact=user.email).exists():
                    raise roles.NotAllowed(has_login)
                try:
                    with transaction.atomic():  # a concurrent sign-up with this address may commit first
                        user.save()
                except IntegrityError:
                    raise roles.NotAllowed(has_login) from None
            elif Membership.objects.filter(account_id=locked.account_id, user=user).exists():
                raise roles.NotAllowed(f"You are already a member of {self.account.name}.")
            try:
                with transaction.atomic():  # a concurrent add of the same user may commit first
                    membership = Membership.objects.create(
                        account_id=locked.account_id, user=user, role=locked.role
                    )
            except IntegrityError:
                raise roles.NotAllowed(f"You are already a member of {self.account.name}.") from None
            locked.accepted_at = timezone.now()
            locked.accepted_by = user
            locked.save(update_fields=["accepted_at", "accepted_by"])
            membership.record(
                AccountEvent.Action.INVITATION_ACCEPTED, by=membership, ip=ip, new_role=locked.role
            )
            self.accepted_at, self.accepted_by = locked.accepted_at, user
        return membership

    def refusal_for(self, status: str) -> str:
        """Say why a link in ``status`` cannot be used, and what to do instead."""
        inviter = self.invited_by.get_full_name() if self.invited_by else "the account's owner or an admin"
        return {
            self.Status.EXPIRED: f"This invitation has expired. Ask {inviter} to resend it.",
            self.Status.ACCEPTED: "This invitation has already been used. Log in to continue.",
            self.Status.REVOKED: f"This invitation was revoked. Ask {inviter} if you still need access.",
        }.get(status, "This invitation cannot be used.")

    def get_status_display(self) -> str:
        return self.Status(self.status).label.lower()

    def record(self, action: str, *, by: Membership, ip=None):
        """Append an account activity event about this invitation."""
        actor = by.user
        return AccountEvent.objects.create(
            account_id=self.account_id,
            actor=actor,
            actor_label=actor.email,
            target_label=self.email,
            action=action,
            new_role=self.role,
            ip_address=ip,
        )

    def _locked(self) -> Invitation:
        return Invitation.objects.select_for_update().get(pk=self.pk)


class AccountEvent(models.Model):
    """One change to an account's members or invitations: who did what to whom, from where."""

    class Action(models.TextChoices):
        INVITED = "invited", "Invited"
        INVITATION_RESENT = "invitation_resent", "Invitation resent"
        INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
        INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
        MEMBER_ADDED = "member_added", "Member added"  # no longer recorded: kept for the history
        ROLE_CHANGED = "role_changed", "Role changed"
        MEMBER_REMOVED = "member_removed", "Member removed"
        MEMBER_LEFT = "member_left", "Member left"
        OWNERSHIP_TRANSFERRED = "ownership_transferred", "Ownership transferred"
        TWO_FACTOR_REQUIRED = "two_factor_required", "Two-factor log-in required"
        TWO_FACTOR_OPTIONAL = "two_factor_optional", "Two-factor log-in no longer required"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32, choices=Action.choices)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(
        max_length=254, blank=True, help_text="The actor's email, kept if the user is deleted."
    )
    target_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target_label = models.CharField(max_length=254, blank=True, help_text="The member's or invitee's email.")
    old_role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    new_role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "created_at"], name="accountevent_account_created")]

    def __str__(self):
        return f"{self.get_action_display()}: {self.target_label} by {self.actor_label}"

    @property
    def description(self) -> str:
        """Return the event as a sentence, for the Users tab."""
        actor, target = self.actor_label or "Someone", self.target_label
        old, new = self.get_old_role_display(), self.get_new_role_display()
        return {
            self.Action.INVITED: f"{actor} invited {target} as {new}",
            self.Action.INVITATION_RESENT: f"{actor} resent the invitation to {target}",
            self.Action.INVITATION_REVOKED: f"{actor} revoked the invitation to {target}",
            self.Action.INVITATION_ACCEPTED: f"{target} accepted the invitation and joined as {new}",
            self.Action.MEMBER_ADDED: f"{actor} added {target} as {new}",
            self.Action.ROLE_CHANGED: f"{actor} changed {target}'s role from {old} to {new}",
            self.Action.MEMBER_REMOVED: f"{actor} removed {target} ({old})",
            self.Action.MEMBER_LEFT: f"{target} left the account ({old})",
            self.Action.OWNERSHIP_TRANSFERRED: f"{actor} transferred ownership to {target} and is now Admin",
            self.Action.TWO_FACTOR_REQUIRED: f"{actor} required two-factor log-in for owners and admins",
            self.Action.TWO_FACTOR_OPTIONAL: f"{actor} stopped requiring two-factor log-in",
        }.get(self.action, self.get_action_display())


def recovery_code_digest(code: str) -> str:
    """Return the SHA-256 of a recovery code in its canonical form (lower case, no dashes or spaces).

    A plain hash suffices: a code carries 80 random bits (docs/decisions/two-factor-log-in.md).
    """
    canonical = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(canonical.encode()).hexdigest()


def _grouped(code: str) -> str:
    return "-".join(code[i : i + 5] for i in range(0, len(code), 5))


class RecoveryCodeQuerySet(models.QuerySet):
    def unused(self):
        return self.filter(used_at__isnull=True)


class RecoveryCodeManager(models.Manager.from_queryset(RecoveryCodeQuerySet)):
    COUNT = 10

    def replace_for(self, user: User) -> list[str]:
        """Give the user a new set of single-use codes (the old ones stop working); return them, once."""
        codes = [_grouped(secrets.token_hex(10)) for _ in range(self.COUNT)]
        with transaction.atomic():
            self.filter(user=user).delete()
            self.bulk_create([RecoveryCode(user=user, digest=recovery_code_digest(code)) for code in codes])
        return codes

    def use(self, user: User, code: str) -> bool:
        """Use up one of the user's codes; return False if it is not one, or was used (atomic: once only)."""
        used = (
            self.unused().filter(user=user, digest=recovery_code_digest(code)).update(used_at=timezone.now())
        )
        return used == 1


class RecoveryCode(models.Model):
    """A single-use code that replaces the authenticator once; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = RecoveryCodeManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="recoverycode_user_digest_unique"),
        ]

    def __str__(self):
        return f"Recovery code of {self.user}"
