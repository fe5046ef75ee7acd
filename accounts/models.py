from __future__ import annotations

import secrets
import string

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts import roles
from accounts.roles import Role


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

    email = models.EmailField("email address", max_length=254, unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        "staff status", default=False, help_text="Can log into the admin site."
    )
    is_active = models.BooleanField("active", default=True)
    date_joined = models.DateTimeField(default=timezone.now)

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

    name = models.CharField(max_length=100)
    public_key = models.CharField(max_length=PUBLIC_KEY_LENGTH, unique=True, editable=False)
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


class Membership(models.Model):
    """A user's role in one account; access to every settings tab follows it."""

    Role = Role

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["account__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "account"], name="membership_user_account_unique"
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(role="owner"),
                name="membership_one_owner_per_account",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} of {self.account}"

    @property
    def can_manage_api_keys(self) -> bool:
        return roles.can_manage_api_keys(self.role)

    @property
    def can_manage_users(self) -> bool:
        return roles.can_manage_users(self.role)
