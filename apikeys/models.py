"""Private keys and their activity.

A key's lifecycle lives here as verbs on the model (issue, clone, deactivate, reactivate, delete). Each verb
runs in a transaction, locks the row it changes and records one activity event. A key never holds its secret:
``issue`` and ``clone`` return it once, to be shown on the reveal page.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from apikeys import scopes as scope_catalogue
from apikeys import secrets


class KeyStateError(Exception):
    """A verb was asked of a key in the wrong state (e.g. deleting an active key)."""


class PrivateKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(deactivated_at__isnull=True)

    def inactive(self):
        return self.filter(deactivated_at__isnull=False)

    def for_account(self, account):
        return self.filter(account=account)


class PrivateKeyManager(models.Manager.from_queryset(PrivateKeyQuerySet)):
    def issue(self, account, name, scopes, by, *, ip=None, cloned_from=None):
        """Create a key and return ``(key, secret)``; the secret is never stored."""
        scopes = scope_catalogue.normalize(scopes)
        name = (name or "").strip()
        if not name:
            raise ValueError("A key needs a name.")
        secret = secrets.generate()
        with transaction.atomic():
            key = self.create(
                account=account,
                name=name,
                scopes=scopes,
                digest=secrets.digest(secret),
                pepper_id=secrets.current_pepper_id(),
                hint=secrets.hint(secret),
                created_by=by,
                cloned_from=cloned_from,
            )
            details = {"cloned_from": str(cloned_from.public_id)} if cloned_from else {}
            action = KeyEvent.Action.CLONED if cloned_from else KeyEvent.Action.CREATED
            key.record(action, by, ip=ip, details=details)
        return key, secret

    def for_secret(self, secret: str):
        """Return the active or inactive key whose digest matches ``secret``, or None.

        A malformed secret or a bad checksum costs no query. A key found under an old pepper is
        re-digested under the current one.
        """
        if not secrets.is_well_formed(secret):
            return None
        candidates = secrets.candidate_digests(secret)
        key = self.select_related("account").filter(digest__in=list(candidates)).first()
        if key is not None and key.pepper_id != secrets.current_pepper_id():
            key.rehash(secret)
        return key

    def pepper_counts(self) -> dict[str, int]:
        """Return how many keys rest on each pepper id."""
        rows = self.values("pepper_id").annotate(n=models.Count("id")).order_by()
        return {row["pepper_id"]: row["n"] for row in rows}


class PrivateKey(models.Model):
    """A private API key of an account. Its scopes never change; clone for other scopes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="private_keys")
    name = models.CharField(max_length=100)
    scopes = models.JSONField(default=list)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    pepper_id = models.CharField(max_length=16, editable=False)
    hint = models.CharField(max_length=secrets.HINT_LENGTH, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    last_used_user_agent = models.CharField(max_length=255, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deactivated_by_label = models.CharField(
        max_length=254,
        blank=True,
        help_text="Who deactivated the key, kept if the user is deleted.",
    )
    deactivation_reason = models.CharField(max_length=500, blank=True)
    cloned_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="clones"
    )

    objects = PrivateKeyManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "created_at"], name="privatekey_account_created")]
        # Support staff may stop a leaked key without any right to change or delete keys.
        permissions = [("deactivate_privatekey", "Can deactivate private keys")]

    def __str__(self):
        return f"{self.name} ({self.masked})"

    def get_absolute_url(self):
        return reverse("apikeys:detail", args=[self.public_id])

    @property
    def masked(self) -> str:
        return f"{secrets.PREFIX}…{self.hint}"

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None

    @property
    def access_summary(self) -> str:
        return scope_catalogue.summary(self.scopes)

    @property
    def scope_levels(self):
        return scope_catalogue.levels_of(self.scopes)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def clone(self, by, *, ip=None):
        """Return ``(new_key, secret)``: a different key with this key's name and scopes."""
        with transaction.atomic():
            new_key, secret = PrivateKey.objects.issue(
                self.account, self.name, self.scopes, by, ip=ip, cloned_from=self
            )
            self.record(KeyEvent.Action.CLONED, by, ip=ip, details={"clone": str(new_key.public_id)})
        return new_key, secret

    def deactivate(self, by, reason: str = "", *, ip=None, by_label: str = "") -> bool:
        """Stop the key from the next request on; return False if it was already inactive."""
        with transaction.atomic():
            locked = self._locked()
            if not locked.is_active:
                self._refresh_from(locked)
                return False
            locked.deactivated_at = timezone.now()
            locked.deactivated_by = by
            locked.deactivated_by_label = by_label or (by.email if by else "")
            locked.deactivation_reason = (reason or "").strip()[:500]
            locked.save(
                update_fields=[
                    "deactivated_at",
                    "deactivated_by",
                    "deactivated_by_label",
                    "deactivation_reason",
                ]
            )
            locked.record(
                KeyEvent.Action.DEACTIVATED,
                by,
                ip=ip,
                actor_label=by_label,
                details={"reason": locked.deactivation_reason},
            )
            self._refresh_from(locked)
        return True

    def reactivate(self, by, *, ip=None) -> None:
        """Let an inactive key authenticate again; raise KeyStateError if it is active."""
        with transaction.atomic():
            locked = self._locked()
            if locked.is_active:
                raise KeyStateError("This key is already active.")
            previous_reason = locked.deactivation_reason
            locked.deactivated_at = None
            locked.deactivated_by = None
            locked.deactivated_by_label = ""
            locked.deactivation_reason = ""
            locked.save(
                update_fields=[
                    "deactivated_at",
                    "deactivated_by",
                    "deactivated_by_label",
                    "deactivation_reason",
                ]
            )
            locked.record(
                KeyEvent.Action.REACTIVATED,
                by,
                ip=ip,
                details={"previous_reason": previous_reason},
            )
            self._refresh_from(locked)

    def delete(self, by=None, *, ip=None, **kwargs):
        """Delete an inactive key for good; its activity events stay for the account's history."""
        with transaction.atomic():
            locked = self._locked()
            if locked.is_active:
                raise KeyStateError("Deactivate the key before deleting it.")
            locked.record(KeyEvent.Action.DELETED, by, ip=ip)
            return super().delete(**kwargs)

    def rehash(self, secret: str) -> None:
        """Store the digest under the current pepper (called after a successful look-up)."""
        self.digest = secrets.digest(secret)
        self.pepper_id = secrets.current_pepper_id()
        PrivateKey.objects.filter(pk=self.pk).update(digest=self.digest, pepper_id=self.pepper_id)

    def record(self, action, by, *, ip=None, actor_label: str = "", details=None):
        """Append an activity event about this key."""
        return KeyEvent.objects.create(
            account_id=self.account_id,
            key=self,
            key_public_id=self.public_id,
            key_name=self.name,
            key_hint=self.hint,
            action=action,
            actor=by,
            actor_label=actor_label or (by.email if by else ""),
            ip_address=ip,
            details=details or {},
        )

    def _locked(self) -> PrivateKey:
        return PrivateKey.objects.select_for_update().get(pk=self.pk)

    def _refresh_from(self, other: PrivateKey) -> None:
        for field in (
            "deactivated_at",
            "deactivated_by_id",
            "deactivated_by_label",
            "deactivation_reason",
        ):
            setattr(self, field, getattr(other, field))
        self._state.fields_cache.pop("deactivated_by", None)


class KeyEventQuerySet(models.QuerySet):
    def for_account(self, account):
        return self.filter(account=account)


class KeyEvent(models.Model):
    """Something that happened to a key. Append-only: nothing in the code updates or deletes events."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        CLONED = "cloned", "Cloned"
        DEACTIVATED = "deactivated", "Deactivated"
        REACTIVATED = "reactivated", "Reactivated"
        DELETED = "deleted", "Deleted"

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="key_events")
    key = models.ForeignKey(
        PrivateKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    key_public_id = models.UUIDField(editable=False)
    key_name = models.CharField(max_length=100, editable=False)
    key_hint = models.CharField(max_length=secrets.HINT_LENGTH, editable=False)
    action = models.CharField(max_length=16, choices=Action.choices, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    details = models.JSONField(default=dict, blank=True, editable=False)

    objects = KeyEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_action_display()} {self.key_name} (…{self.key_hint})"

    @property
    def key_masked(self) -> str:
        return f"{secrets.PREFIX}…{self.key_hint}"
