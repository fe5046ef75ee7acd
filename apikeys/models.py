"""Private keys and their activity.

A key's lifecycle is verbs on the model, each in a transaction that locks the row and records an event;
the ones the account's people are told of queue that email for after the commit (apikeys.notifications).
``issue``, ``clone`` and ``roll`` return the secret once, for the reveal page. A key works while active and
not expired, checked on every request (no background job); its scopes and IP allowlist never change.
"""

from __future__ import annotations

import ipaddress
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from apikeys import conf, http, notifications, secrets, validators
from apikeys import scopes as scope_catalogue

# Keys that expire this soon get a warning badge and a banner on the settings pages.
EXPIRY_WARNING = timedelta(days=7)
MAX_ALLOWED_IPS = 50

# What deactivate, reactivate and mark_leaked write together: when, by whom and why a key stopped.
DEACTIVATION_FIELDS = ("deactivated_at", "deactivated_by", "deactivated_by_label", "deactivation_reason")


class KeyStateError(Exception):
    """A verb was asked of a key in the wrong state (e.g. deleting an active key)."""


def unexpired_condition(prefix: str = "", *, now=None) -> models.Q:
    """Return the condition of a key not expired (``PrivateKey.is_expired``), through ``prefix``."""
    now = now or timezone.now()
    return models.Q(**{f"{prefix}expires_at__isnull": True}) | models.Q(**{f"{prefix}expires_at__gt": now})


def usable_condition(prefix: str = "", *, now=None) -> models.Q:
    """Return the condition of a key the API accepts (``PrivateKey.is_usable``): active, not expired."""
    return models.Q(**{f"{prefix}deactivated_at__isnull": True}) & unexpired_condition(prefix, now=now)


class PrivateKeyQuerySet(models.QuerySet):
    def active(self):
        """Return the keys not deactivated (some may have expired: see ``usable``)."""
        return self.filter(deactivated_at__isnull=True)

    def inactive(self):
        return self.filter(deactivated_at__isnull=False)

    def usable(self, *, now=None):
        """Return the keys the API accepts now: active and not expired."""
        return self.filter(usable_condition(now=now))

    def expired(self, *, now=None):
        """Return the active keys whose expiry has passed (the API refuses them)."""
        return self.active().exclude(unexpired_condition(now=now))

    def for_account(self, account):
        return self.filter(account=account)

    def expiring(self, within: timedelta = EXPIRY_WARNING, *, now=None):
        """Return the active keys that still work but stop within ``within``, soonest first."""
        now = now or timezone.now()
        return self.active().filter(expires_at__gt=now, expires_at__lte=now + within).order_by("expires_at")

    def not_rolled_by(self, user, *, since):
        """Leave out the keys ``user`` rolled since ``since``: they chose when those stop, moments ago."""
        rolled = KeyEvent.objects.filter(
            key=models.OuterRef("pk"), action=KeyEvent.Action.ROLLED, actor=user, created_at__gte=since
        )
        return self.exclude(models.Exists(rolled))


class PrivateKeyManager(models.Manager.from_queryset(PrivateKeyQuerySet)):
    def issue(
        self,
        account,
        name,
        scopes,
        by,
        *,
        ip=None,
        cloned_from=None,
        expires_at=None,
        allowed_ips=(),
        rolled_from=None,
    ):
        """Create a key and return ``(key, secret)``; the secret is never stored.

        ``allowed_ips`` are addresses or CIDR ranges (normalised here; ValueError for a bad one), empty for
        anywhere. ``rolled_from`` makes the key the replacement of a rolled key (``PrivateKey.roll``).
        """
        scopes = scope_catalogue.normalize(scopes)
        name = (name or "").strip()
        if not name:
            raise ValueError("A key needs a name.")
        if validators.has_control_characters(name):
            raise ValueError(f"A key's name: {validators.CONTROL_CHARACTERS_MESSAGE}")
        if expires_at is not None and expires_at <= timezone.now():
            raise ValueError("A key's expiry must lie in the future.")
        allowed_ips = list(dict.fromkeys(http.normalize_network(entry) for entry in allowed_ips))
        if len(allowed_ips) > MAX_ALLOWED_IPS:
            raise ValueError(f"A key allows at most {MAX_ALLOWED_IPS} addresses or ranges.")
        cloned_from = rolled_from or cloned_from
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
                expires_at=expires_at,
                allowed_ips=allowed_ips,
            )
            if rolled_from:
                action, details = KeyEvent.Action.ROLLED, {"rolled_from": str(rolled_from.public_id)}
            elif cloned_from:
                action, details = KeyEvent.Action.CLONED, {"cloned_from": str(cloned_from.public_id)}
            else:
                action, details = KeyEvent.Action.CREATED, {}
            event = key.record(action, by, ip=ip, details=details)
            if not rolled_from:  # a roll's email is about the key it replaces (PrivateKey.roll)
                notifications.key_changed(key, action, event)
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

    def matching(self, candidates) -> dict[str, PrivateKey]:
        """Return ``{secret: key}`` for the candidates that are secrets of keys, active or not, in one query.

        For secret scanning, which reports many strings at once: a malformed string or a bad checksum costs
        nothing, and every other one is looked up under every pepper in a single ``digest IN (…)``.
        """
        secret_of = {
            digest: candidate
            for candidate in candidates
            if secrets.is_well_formed(candidate)
            for digest in secrets.candidate_digests(candidate)
        }
        if not secret_of:
            return {}
        keys = self.select_related("account").filter(digest__in=list(secret_of))
        return {secret_of[key.digest]: key for key in keys}

    def pepper_counts(self) -> dict[str, int]:
        """Return how many keys rest on each pepper id."""
        rows = self.values("pepper_id").annotate(n=models.Count("id")).order_by()
        return {row["pepper_id"]: row["n"] for row in rows}


class PrivateKey(models.Model):
    """A private API key of an account. Its scopes never change; clone for other scopes."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        GRACE = "grace", "Active (rolled, in its grace period)"
        EXPIRED = "expired", "Expired"
        ROLLED = "rolled", "Expired (rolled)"
        INACTIVE = "inactive", "Inactive"
        LEAKED = "leaked", "Inactive (leaked)"

    class Refused(models.TextChoices):
        """Why the API last refused a request that carried the key's own secret (``record_refusal``)."""

        INACTIVE = "inactive", "401: the key was inactive"
        EXPIRED = "expired", "401: the key had expired"
        IP_NOT_ALLOWED = "ip_not_allowed", "403: from an address outside its IP allowlist"
        INSUFFICIENT_SCOPE = "insufficient_scope", "403: it lacked the scope the endpoint needs"
        THROTTLED = "throttled", "429: too many failed attempts from its address"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(
        conf.account_model_label(), on_delete=models.CASCADE, related_name="private_keys"
    )
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
    last_used_ip = models.GenericIPAddressField("last used from", null=True, blank=True)
    last_used_user_agent = models.CharField(max_length=255, blank=True)
    last_refused_at = models.DateTimeField(null=True, blank=True)
    last_refused_reason = models.CharField(max_length=32, choices=Refused.choices, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deactivated_by_label = models.CharField(
        "deactivated by",
        max_length=254,
        blank=True,
        help_text="Who deactivated the key, kept if the user is deleted.",
    )
    deactivation_reason = models.CharField(max_length=500, blank=True)
    cloned_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="clones"
    )
    # Expiry chosen at creation, or the end of a roll's grace period: checked at verification time.
    expires_at = models.DateTimeField(null=True, blank=True)
    rolled_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rolled_from"
    )
    rolled_at = models.DateTimeField(null=True, blank=True)
    allowed_ips = models.JSONField(
        default=list, blank=True, help_text="IP addresses or CIDR ranges; empty means anywhere."
    )
    leaked_at = models.DateTimeField(
        null=True, blank=True, help_text="Found in public by secret scanning: never reactivated."
    )
    expiry_notified_at = models.DateTimeField(null=True, blank=True)

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
    def label(self) -> str:
        """Name the key in messages and emails: its name and last characters, “Zapier” (pk_…s34P)."""
        return f"“{self.name}” ({self.masked})"

    @property
    def is_active(self) -> bool:
        """Not deactivated; an active key may still have expired (see ``is_usable``)."""
        return self.deactivated_at is None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        """Whether the API accepts this key now: active and not expired."""
        return self.is_active and not self.is_expired

    @property
    def expires_soon(self) -> bool:
        """Whether a usable key stops working within ``EXPIRY_WARNING``."""
        return (
            self.is_usable
            and self.expires_at is not None
            and self.expires_at <= timezone.now() + EXPIRY_WARNING
        )

    @property
    def status(self) -> PrivateKey.Status:
        """What the tab and the admin say about the key."""
        if not self.is_active:
            return self.Status.LEAKED if self.leaked_at else self.Status.INACTIVE
        if self.is_expired:
            return self.Status.ROLLED if self.rolled_to_id else self.Status.EXPIRED
        return self.Status.GRACE if self.rolled_to_id else self.Status.ACTIVE

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def expiry_reason(self) -> str:
        """Why an expired key stopped, as the list of inactive keys says it ("" for any other key)."""
        return EXPIRY_REASONS.get(self.status, "")

    # Why a verb would be refused now ("" when it would succeed): the verbs raise these, and pages show a
    # button exactly when its verb would succeed.

    @property
    def roll_refusal(self) -> str:
        if not self.is_active:
            return "Only an active key can be rolled; clone an inactive key instead."
        if self.rolled_to_id is not None:
            return "This key has already been rolled."
        if self.is_expired:
            return "This key has expired; clone it instead."
        return ""

    @property
    def deactivate_refusal(self) -> str:
        return "" if self.is_active else "This key is already inactive."

    @property
    def reactivate_refusal(self) -> str:
        if self.is_active:
            return "This key is already active."
        if self.leaked_at is not None:
            return LEAKED_DETAIL
        if self.is_expired:
            return "This key has expired and cannot work again; clone it instead."
        if self.pepper_id not in dict(secrets.peppers()):
            # Its digest was made with a pepper since dropped: every request would be refused.
            return PEPPER_GONE_DETAIL
        return ""

    @property
    def remove_refusal(self) -> str:
        return "Deactivate the key before deleting it." if self.is_usable else ""

    def allows(self, ip: str | None) -> bool:
        """Return whether a request from ``ip`` may use the key (an empty allowlist allows anywhere)."""
        return not self.allowed_ips or http.in_networks(http.parse_ip(ip), self.allowed_ips)

    @property
    def access_summary(self) -> str:
        return scope_catalogue.summary(self.scopes)

    @property
    def scope_levels(self):
        return scope_catalogue.levels_of(self.scopes)

    @property
    def unknown_scopes(self) -> list[str]:
        """Stored scopes the catalogue no longer declares: kept on the key, granting nothing."""
        return scope_catalogue.unknown(self.scopes)

    def has_scope(self, scope: str) -> bool:
        """Return whether the key grants ``scope``: not a scope the catalogue dropped."""
        return scope_catalogue.granted(scope, self.scopes)

    @property
    def lifetime(self) -> timedelta | None:
        """Return how long the key was made to work (whole days from a day on), or None.

        None for a key that never expires, and for a rolled key, whose expiry is a grace period rather
        than a lifetime. Clone and roll offer it as the new key's expiry.
        """
        if self.expires_at is None or self.rolled_to_id is not None:
            return None
        lifetime = self.expires_at - self.created_at
        days = round(lifetime / timedelta(days=1))
        return timedelta(days=days) if days else lifetime

    @property
    def origin(self) -> tuple[str, PrivateKey] | None:
        """Return ``("replaces", key)`` for a roll's new key, ``("clone of", key)`` for a clone, or None."""
        source = self.cloned_from
        if source is None:
            return None
        return ("replaces" if source.rolled_to_id == self.pk else "clone of", source)

    def rename(self, name: str, by, *, ip=None) -> bool:
        """Give the key another name (nothing else changes); return False if the name is the same."""
        name = (name or "").strip()
        if not name:
            raise ValueError("A key needs a name.")
        if validators.has_control_characters(name):
            raise ValueError(f"A key's name: {validators.CONTROL_CHARACTERS_MESSAGE}")
        with transaction.atomic():
            self._locked()
            if self.name == name:
                return False
            previous, self.name = self.name, name
            self.save(update_fields=["name"])
            self.record(KeyEvent.Action.RENAMED, by, ip=ip, details={"previous_name": previous})
        return True

    def clone(self, by, *, ip=None, name=None, expires_at=None):
        """Return ``(new_key, secret)``: a different key with this key's scopes and IP allowlist.

        ``name`` defaults to this key's; ``expires_at`` None never expires. This key stays locked meanwhile,
        so a concurrent delete waits or wins first (PrivateKey.DoesNotExist).
        """
        with transaction.atomic():
            self._locked()
            new_key, secret = PrivateKey.objects.issue(
                self.account,
                name or self.name,
                self.scopes,
                by,
                ip=ip,
                cloned_from=self,
                allowed_ips=self.allowed_ips,
                expires_at=expires_at,
            )
            self.record(KeyEvent.Action.CLONED, by, ip=ip, details={"clone": str(new_key.public_id)})
        return new_key, secret

    def roll(self, by, grace: timedelta, *, ip=None, now=None, expires_at=None) -> tuple[PrivateKey, str]:
        """Return ``(new_key, secret)``: a clone that replaces this key, which stops working after ``grace``.

        The new key expires at ``expires_at`` (None: never); this key's expiry becomes ``now + grace`` unless
        sooner. KeyStateError for an inactive, expired or already rolled key: clone it instead.
        """
        if grace < timedelta(0):
            raise ValueError("A grace period cannot be negative.")
        with transaction.atomic():
            self._locked()
            now = now or timezone.now()
            if self.roll_refusal:
                raise KeyStateError(self.roll_refusal)
            if self.expires_at is not None and self.expires_at <= now:
                raise KeyStateError("This key has expired; clone it instead.")
            new_key, secret = PrivateKey.objects.issue(
                self.account,
                self.name,
                self.scopes,
                by,
                ip=ip,
                allowed_ips=self.allowed_ips,
                rolled_from=self,
                expires_at=expires_at,
            )
            self.expires_at = min(now + grace, self.expires_at or now + grace)
            self.rolled_to, self.rolled_at = new_key, now
            self.save(update_fields=["expires_at", "rolled_to", "rolled_at"])
            event = self.record(
                KeyEvent.Action.ROLLED,
                by,
                ip=ip,
                details={"rolled_to": str(new_key.public_id), "expires_at": self.expires_at.isoformat()},
            )
            notifications.key_changed(self, event.action, event)
        return new_key, secret

    def deactivate(self, by, reason: str = "", *, ip=None, by_label: str = "", by_support=False) -> bool:
        """Stop the key from the next request on; return False if it was already inactive.

        ``by_support``: ``by`` is support staff acting from the admin, as the email says. Raise ValueError,
        changing nothing, for a reason with control characters (apikeys.validators).
        """
        if validators.has_control_characters(reason or ""):
            raise ValueError(f"A deactivation reason: {validators.CONTROL_CHARACTERS_MESSAGE}")
        with transaction.atomic():
            self._locked()
            if self.deactivate_refusal:
                return False
            self.deactivated_at = timezone.now()
            self.deactivated_by = by
            self.deactivated_by_label = by_label or (by.get_username() if by else "")
            self.deactivation_reason = (reason or "").strip()[:500]
            self.save(update_fields=DEACTIVATION_FIELDS)
            event = self.record(
                KeyEvent.Action.DEACTIVATED,
                by,
                ip=ip,
                actor_label=by_label,
                details={"reason": self.deactivation_reason} | ({"by_support": True} if by_support else {}),
            )
            notifications.key_changed(self, event.action, event)
        return True

    def reactivate(self, by, *, ip=None) -> None:
        """Let an inactive key authenticate again.

        KeyStateError if it is active, expired, leaked, or digested with a pepper no longer configured.
        """
        with transaction.atomic():
            self._locked()
            if self.reactivate_refusal:
                raise KeyStateError(self.reactivate_refusal)
            previous_reason = self.deactivation_reason
            self.deactivated_at = None
            self.deactivated_by = None
            self.deactivated_by_label = ""
            self.deactivation_reason = ""
            self.save(update_fields=DEACTIVATION_FIELDS)
            self.record(
                KeyEvent.Action.REACTIVATED,
                by,
                ip=ip,
                details={"previous_reason": previous_reason},
            )

    def remove(self, by, *, ip=None) -> None:
        """Delete an inactive or expired key for good; its activity events stay for the account's history.

        Django's own ``delete()`` is left alone, for cascades (an account's deletion) and the shell.
        """
        with transaction.atomic():
            self._locked()
            if self.remove_refusal:
                raise KeyStateError(self.remove_refusal)
            self.record(KeyEvent.Action.DELETED, by, ip=ip)
            self.delete()

    def mark_leaked(self, url: str = "", *, found_by: str = "", details=None) -> bool:
        """Deactivate a key found in public by secret scanning, and bar it from ever working again.

        A key already inactive is marked too, so that nobody reactivates it. Records one LEAKED event (actor
        ``LEAK_ACTOR``) and emails it, naming ``found_by`` as the finder; return False, changing nothing, if
        the key was already marked.
        """
        # The URL comes from the alert's body: whatever it holds, the reason stays one line of text.
        url = "".join(c for c in (url or "") if not validators.has_control_characters(c))[:MAX_LEAK_URL]
        with transaction.atomic():
            self._locked()
            if self.leaked_at is not None:
                return False
            was_active = self.is_active
            reason = (f"Leaked: {url}" if url else "Leaked: found in public")[:500]
            self.leaked_at = timezone.now()
            fields = ["leaked_at"]
            if was_active:
                self.deactivated_at = self.leaked_at
                self.deactivated_by = None
                self.deactivated_by_label = LEAK_ACTOR
                self.deactivation_reason = reason
                fields += DEACTIVATION_FIELDS
            self.save(update_fields=fields)
            recorded = {"reason": reason, "url": url, "was_active": was_active} | (details or {})
            event = self.record(KeyEvent.Action.LEAKED, None, actor_label=LEAK_ACTOR, details=recorded)
            source = recorded.get("source", "")
            notifications.key_changed(
                self, event.action, event, actor=found_by, url=url, source=source, was_active=was_active
            )
        return True

    def announce_expiry(self, *, now=None) -> bool:
        """Email that the key expires soon, once per key; return False if it was announced or is not due.

        Due: still working and stopping within ``EXPIRY_WARNING``. ``expiry_notified_at`` is claimed with a
        conditional UPDATE, so two runs at once announce it once.
        """
        now = now or timezone.now()
        with transaction.atomic():
            due = PrivateKey.objects.expiring(EXPIRY_WARNING, now=now)
            claimed = due.filter(pk=self.pk, expiry_notified_at__isnull=True).update(expiry_notified_at=now)
            if claimed:
                self.expiry_notified_at = now
                notifications.key_changed(self, "expiring")
        return bool(claimed)

    def rehash(self, secret: str) -> None:
        """Store the digest under the current pepper (called after a successful look-up)."""
        self.digest = secrets.digest(secret)
        self.pepper_id = secrets.current_pepper_id()
        PrivateKey.objects.filter(pk=self.pk).update(digest=self.digest, pepper_id=self.pepper_id)

    def record_use(self, ip: str | None, user_agent: str = "", *, now=None) -> bool:
        """Note when, from where and by what the key was last used, at most once a minute.

        A recent ``last_used_at`` (read by ``apikeys.verification``) costs no query; otherwise a conditional
        UPDATE lets one of several concurrent requests write. Return whether this call wrote.
        """
        now = now or timezone.now()
        if self._noted_since(self.last_used_at, now):
            return False
        try:
            ip = str(ipaddress.ip_address(ip or ""))
        except ValueError:
            ip = None
        # Header text may hold what no database column takes: NUL, or lone surrogates from a test client.
        user_agent = (user_agent or "").replace("\x00", "").encode("utf-8", "replace").decode()[:255]
        return self._note("last_used_at", now, last_used_ip=ip, last_used_user_agent=user_agent)

    def record_refusal(self, reason: PrivateKey.Refused, *, now=None) -> bool:
        """Note when and why the API refused a request with this key's secret, at most once a minute.

        As ``record_use`` does: a recent ``last_refused_at`` (read by ``apikeys.verification``) costs no
        query; return whether this call wrote.
        """
        now = now or timezone.now()
        if self._noted_since(self.last_refused_at, now):
            return False
        return self._note("last_refused_at", now, last_refused_reason=reason)

    @staticmethod
    def _noted_since(moment, now) -> bool:
        return moment is not None and moment >= now - LAST_USED_INTERVAL

    def _note(self, moment_field: str, now, **values) -> bool:
        """Set ``moment_field`` to ``now`` and ``values`` unless another request just did: one writer wins."""
        stale = models.Q(**{f"{moment_field}__isnull": True}) | models.Q(
            **{f"{moment_field}__lt": now - LAST_USED_INTERVAL}
        )
        values[moment_field] = now
        written = PrivateKey.objects.filter(pk=self.pk).filter(stale).update(**values)
        if written:
            for name, value in values.items():
                setattr(self, name, value)
        return bool(written)

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
            actor_label=actor_label or (by.get_username() if by else ""),
            ip_address=ip,
            details=details or {},
        )

    def _locked(self) -> PrivateKey:
        """Lock this key's row until the transaction ends and refresh this instance from it; return it."""
        locking = PrivateKey.objects.select_for_update(of=("self",)).select_related("account")
        self.refresh_from_db(from_queryset=locking)
        return self


EXPIRY_REASONS = {
    PrivateKey.Status.EXPIRED: "Reached its expiry date",
    PrivateKey.Status.ROLLED: "Rolled: its grace period ended",
}

# Who deactivated a key that secret scanning found in public, and what reactivating it is answered.
LEAK_ACTOR = "secret scanning"
LEAKED_DETAIL = (
    "This key was found in public and can never be reactivated: anyone may hold its secret. "
    "Clone it to get a new secret with the same scopes."
)
MAX_LEAK_URL = 2000
PEPPER_GONE_DETAIL = (
    "This key's fingerprint was made with a pepper this server no longer has, so it could not authenticate. "
    "Clone it to get a new secret with the same scopes."
)

# How stale ``last_used_at`` and ``last_refused_at`` may get: writing them on every request would put a write
# on the hot path.
LAST_USED_INTERVAL = timedelta(seconds=60)


class KeyUsage(models.Model):
    """Requests made with a key's secret on one day (UTC), and how many were refused (apikeys/usage.py)."""

    key = models.ForeignKey(PrivateKey, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    requests = models.PositiveBigIntegerField(default=0)
    refused = models.PositiveBigIntegerField(default=0, help_text="Of the requests, those the API refused.")

    class Meta:
        ordering = ["key", "day"]
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="keyusage_key_day_unique")]

    def __str__(self):
        return f"{self.key_id} {self.day}: {self.requests} ({self.refused} refused)"


class ScanningPublicKey(models.Model):
    """A public key a secret scanning partner (GitHub) signs its alerts with, imported ahead of time."""

    provider = models.CharField(max_length=32, default="github")
    key_identifier = models.CharField(max_length=200)
    pem = models.TextField()
    is_current = models.BooleanField(default=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "key_identifier"], name="scanningpublickey_provider_id_unique"
            )
        ]

    def __str__(self):
        return f"{self.provider} {self.key_identifier[:16]}…"


class KeyEventQuerySet(models.QuerySet):
    def for_account(self, account):
        return self.filter(account=account)


class KeyEvent(models.Model):
    """Something that happened to a key. Append-only: the code never edits or deletes an event.

    Deleting a key unlinks its events (``key`` becomes NULL, the database's SET NULL); they keep the key's
    public id, name and hint, so the account's history still says which key it was.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        CLONED = "cloned", "Cloned"
        DEACTIVATED = "deactivated", "Deactivated"
        REACTIVATED = "reactivated", "Reactivated"
        DELETED = "deleted", "Deleted"
        ROLLED = "rolled", "Rolled"
        LEAKED = "leaked", "Found leaked"
        RENAMED = "renamed", "Renamed"

    account = models.ForeignKey(
        conf.account_model_label(), on_delete=models.CASCADE, related_name="key_events"
    )
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

    @property
    def description(self) -> str:
        """Return what the event's details say, for the activity table ("" when there is nothing to add)."""
        if self.details.get("reason"):
            return f"Reason: {self.details['reason']}"
        if self.details.get("previous_name"):
            return f"Renamed from “{self.details['previous_name']}”"
        if self.details.get("previous_reason"):
            return f"Had been deactivated for: {self.details['previous_reason']}"
        for name, text in LINEAGE_DESCRIPTIONS:
            if self.details.get(name):
                return text
        return ""


# What an event's lineage detail means, in the order the activity table looks for them.
LINEAGE_DESCRIPTIONS = (
    ("rolled_to", "Rolled: a new key replaces this one after a grace period"),
    ("rolled_from", "Created by rolling a key"),
    ("clone", "A new key was cloned from this one"),
    ("cloned_from", "Created as a clone"),
)


class RevealShare(models.Model):
    """One share of a new secret on its way to the reveal page: secret XOR pad (see apikeys/reveal.py).

    Uniform noise without the pad, which only the browser holds. A row of its own, not a session entry, so
    that deleting it is the one atomic claim to the secret.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key_public_id = models.UUIDField(editable=False)
    share = models.CharField(max_length=2 * secrets.SECRET_LENGTH, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    def __str__(self):
        return f"Reveal share {self.pk}"
