from __future__ import annotations

import datetime
import re
from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone

from apikeys import scopes, secrets
from apikeys.http import normalize_network
from apikeys.models import EXPIRY_WARNING, MAX_ALLOWED_IPS, PrivateKey
from apikeys.validators import refuse_control_characters

SCOPE_FIELD_PREFIX = "scope-"
LEVEL_LABELS = {scopes.NONE_LEVEL: "None", scopes.READ_LEVEL: "Read", scopes.FULL_LEVEL: "Full"}
MATRIX_LEVELS = (scopes.NONE_LEVEL, scopes.READ_LEVEL, scopes.FULL_LEVEL)
ACCESS_CHOICES = [
    (scopes.ACCESS_FULL, "Full access"),
    (scopes.ACCESS_READ_ONLY, "Read-only"),
    (scopes.ACCESS_CUSTOM, "Custom"),
]
ACCESS_HELP = {
    scopes.ACCESS_FULL: "Read and change every resource.",
    scopes.ACCESS_READ_ONLY: "Read every resource, change nothing.",
    scopes.ACCESS_CUSTOM: "Choose the access to each resource below.",
}

EXPIRY_NEVER, EXPIRY_DATE, EXPIRY_KEEP = "never", "date", "keep"
EXPIRY_CHOICES = [
    (EXPIRY_NEVER, "No expiry"),
    ("30", "In 30 days"),
    ("60", "In 60 days"),
    ("90", "In 90 days"),
    (EXPIRY_DATE, "On a date…"),
]
MAX_EXPIRY = timedelta(days=366)  # as GitHub's fine-grained tokens; "No expiry" is there for longer
GRACE_CHOICES = [
    ("now", "Now", "The old key is refused from its next request. Choose this if it leaked."),
    ("1h", "In 1 hour", ""),
    ("24h", "In 24 hours", "Time to deploy the new key everywhere the old one is used."),
    ("7d", "In 7 days", ""),
]
GRACE_PERIODS = {
    "now": timedelta(0),
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
}


class BoundField(forms.BoundField):
    """A field of the app's forms: ``{{ field.as_field_group }}`` renders ``apikeys/_field.html``."""

    @property
    def template_name(self):
        return self.field.template_name or "apikeys/_field.html"


class Form(forms.Form):
    """The app's forms render through its own templates, whatever ``FORM_RENDERER`` a host sets:
    ``{{ form }}`` (its errors at the top, then each field) through ``apikeys/_form.html``, each field
    through ``BoundField``.
    """

    template_name = "apikeys/_form.html"
    bound_field_class = BoundField


class RadioWithHelp(forms.RadioSelect):
    """Radio buttons that each carry a line of help (``helps``: value to text), shown beside the choice."""

    def __init__(self, helps: dict[str, str], attrs=None):
        super().__init__(attrs)
        self.helps = helps

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["help"] = self.helps.get(value, "")
        return option


class UnechoedWhenRefused(BoundField):
    """A field that leaves a refused value out of the page (a refused search may be a whole secret)."""

    def value(self):
        return None if self.errors else super().value()


class ExpiryForm(Form):
    """When a new key stops working: one select, whose "On a date…" choice uses the date field.

    A date is never dropped: posted without a choice (an older page) it is the choice; posted with another
    choice it is refused, since nobody can tell which of the two was meant. With ``original`` (clone, roll)
    the choices start with keeping that key's lifetime (``PrivateKey.lifetime``), chosen by default.
    """

    # What the error summary calls the fields whose labels say "of the new key" on the clone and roll pages.
    summary_labels = {"name": "Name", "expires": "Expiry"}

    # Not required: a form posted without it (an older page) makes a key that never expires.
    expires = forms.ChoiceField(label="Expiry", choices=EXPIRY_CHOICES, initial=EXPIRY_NEVER, required=False)
    expires_on = forms.DateField(
        label="Expiry date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "data-expiry-date": ""}),
        help_text="With “On a date…”: the key stops working at 00:00 UTC that day, within a year from now.",
    )

    def __init__(self, *args, original=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.keep = original.lifetime if original is not None else None
        expires = self.fields["expires"]
        expires.widget.attrs["data-expiry-choice"] = ""
        if original is not None:
            expires.label = "Expiry of the new key"
        if self.keep is not None:
            keep = (EXPIRY_KEEP, f"Same as this key: {lifetime_label(self.keep)}")
            expires.choices = [keep, *EXPIRY_CHOICES]
            expires.initial = EXPIRY_KEEP
            expires.widget.attrs["data-keep-seconds"] = int(self.keep.total_seconds())
        earliest, latest = expiry_date_range()
        self.fields["expires_on"].widget.attrs.update(min=earliest.isoformat(), max=latest.isoformat())

    def clean(self):
        cleaned = super().clean()
        cleaned["expires_at"] = self._expires_at(cleaned)
        return cleaned

    def _expires_at(self, cleaned) -> datetime.datetime | None:
        """Turn the expiry choice into a time, or add an error to ``expires_on``."""
        choice, day = cleaned.get("expires"), cleaned.get("expires_on")
        if "expires" in self.errors or "expires_on" in self.errors:
            return None
        if not choice:
            choice = EXPIRY_DATE if day else EXPIRY_NEVER
        if day is not None and choice != EXPIRY_DATE:
            self.add_error(
                "expires_on",
                "A date is used only with the expiry “On a date…”: choose it, or clear the date.",
            )
            return None
        now = timezone.now()
        if choice == EXPIRY_NEVER:
            return None
        if choice == EXPIRY_KEEP:
            return now + self.keep
        if choice != EXPIRY_DATE:
            return now + timedelta(days=int(choice))
        if day is None:
            self.add_error("expires_on", "Choose the date the key stops working.")
            return None
        earliest, latest = expiry_date_range(now)
        if day < earliest:
            self.add_error("expires_on", "Choose a date after today.")
            return None
        if day > latest:
            self.add_error("expires_on", "Choose a date within a year, or “No expiry”.")
            return None
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def expiry_date_range(now=None) -> tuple[datetime.date, datetime.date]:
    """Return the first and last dates (UTC) a key may be set to expire on."""
    now = (now or timezone.now()).astimezone(datetime.UTC)
    return now.date() + timedelta(days=1), (now + MAX_EXPIRY).date()


def lifetime_label(lifetime: timedelta) -> str:
    """Say a lifetime in the units the choices use: "30 days", "1 day", "12 hours"."""
    if lifetime >= timedelta(days=1):
        days = round(lifetime / timedelta(days=1))
        return f"{days} day{'s' if days != 1 else ''}"
    hours = max(1, round(lifetime / timedelta(hours=1)))
    return f"{hours} hour{'s' if hours != 1 else ''}"


class KeyForm(ExpiryForm):
    """A new private key: a name, and access as a preset or a matrix of ``scope-<resource>`` radio groups.

    The matrix fields are always validated, so a tampered POST (unknown resource or level) is an error even
    when a preset is chosen.
    """

    name = forms.CharField(
        max_length=100,
        validators=[refuse_control_characters],
        help_text="Say where the key will be used, e.g. “Zapier” or “Warehouse sync”. Up to 100 characters.",
    )
    access = forms.ChoiceField(
        choices=ACCESS_CHOICES, widget=RadioWithHelp(ACCESS_HELP), initial=scopes.ACCESS_READ_ONLY
    )
    allowed_ips = forms.CharField(
        label="IP allowlist",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text=(
            "Optional. IP addresses or CIDR ranges, one per line, IPv4 or IPv6 (e.g. 203.0.113.7 or "
            f"2001:db8::/32), at most {MAX_ALLOWED_IPS}. Requests from anywhere else are refused. "
            "Leave empty to allow any address. Like the scopes, it cannot be changed later."
        ),
    )

    field_order = ["name", "access", "expires", "expires_on", "allowed_ips"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for resource in scopes.CATALOGUE:
            self.fields[SCOPE_FIELD_PREFIX + resource.name] = forms.ChoiceField(
                label=resource.label,
                choices=[(level, LEVEL_LABELS[level]) for level in resource.ui_levels],
                widget=forms.RadioSelect,
                initial=scopes.NONE_LEVEL,
                required=False,
            )

    def clean(self):
        cleaned = super().clean()
        unknown = sorted(
            name.removeprefix(SCOPE_FIELD_PREFIX)
            for name in self.data
            if name.startswith(SCOPE_FIELD_PREFIX) and name not in self.fields
        )
        if unknown:
            raise forms.ValidationError("Unknown resource: %(names)s.", params={"names": ", ".join(unknown)})
        access = cleaned.get("access")
        if access in scopes.PRESETS:
            cleaned["scopes"] = sorted(scopes.PRESETS[access])
        elif access == scopes.ACCESS_CUSTOM and not self._scope_errors():
            levels = {
                resource.name: cleaned.get(SCOPE_FIELD_PREFIX + resource.name) or scopes.NONE_LEVEL
                for resource in scopes.CATALOGUE
            }
            cleaned["scopes"] = scopes.scopes_from_levels(levels)
            if not cleaned["scopes"]:
                # On ``access``, so the Access fieldset points screen readers at it.
                self.add_error(
                    "access", "With custom access, give at least one resource read or full access."
                )
        return cleaned

    def clean_allowed_ips(self) -> list[str]:
        """Return the normalised entries (one a line; commas and spaces separate too), or every bad one."""
        entries, errors = [], []
        for number, line in enumerate(self.cleaned_data["allowed_ips"].splitlines(), start=1):
            for entry in re.split(r"[\s,]+", line.strip()):
                if not entry:
                    continue
                try:
                    entries.append(normalize_network(entry))
                except ValueError:
                    shown = entry if len(entry) <= 50 else entry[:50] + "…"
                    errors.append(
                        forms.ValidationError(
                            "Line %(number)s: “%(entry)s” is not an IP address or CIDR range.",
                            params={"number": number, "entry": shown},
                        )
                    )
        if errors:
            raise forms.ValidationError(errors)
        entries = list(dict.fromkeys(entries))
        if len(entries) > MAX_ALLOWED_IPS:
            raise forms.ValidationError(
                "At most %(max)s addresses or ranges (there are %(count)s): use wider CIDR ranges.",
                params={"max": MAX_ALLOWED_IPS, "count": len(entries)},
            )
        return entries

    def _scope_errors(self) -> bool:
        return any(name.startswith(SCOPE_FIELD_PREFIX) for name in self.errors)

    def scope_rows(self):
        """Return one row per resource: its bound field and ``(column label, radio or None)`` cells."""
        rows = []
        for resource in scopes.CATALOGUE:
            field = self[SCOPE_FIELD_PREFIX + resource.name]
            radios = {radio.data["value"]: radio for radio in field}
            cells = [(LEVEL_LABELS[level], radios.get(level)) for level in MATRIX_LEVELS]
            rows.append((resource, field, cells))
        return rows

    def scope_matrix_has_errors(self) -> bool:
        return self.is_bound and self._scope_errors()


class CloneForm(ExpiryForm):
    """A clone's name (prefilled "… (copy)", so that the two keys can be told apart) and its expiry."""

    name = forms.CharField(
        label="Name of the new key",
        max_length=100,
        validators=[refuse_control_characters],
        help_text="Up to 100 characters.",
    )
    field_order = ["name", "expires", "expires_on"]

    def __init__(self, *args, original, **kwargs):
        kwargs.setdefault("initial", {"name": copy_name(original.name)})
        super().__init__(*args, original=original, **kwargs)


def copy_name(name: str) -> str:
    """Return "<name> (copy)", shortening the name so that the result fits in 100 characters."""
    suffix = " (copy)"
    return name[: 100 - len(suffix)] + suffix


class RenameForm(Form):
    name = forms.CharField(
        max_length=100,
        validators=[refuse_control_characters],
        help_text="Only the name changes: the secret, scopes, IP allowlist and expiry stay as they are.",
    )


class RollForm(ExpiryForm):
    """The old key's grace period, and the new key's expiry (the old key's lifetime by default)."""

    grace = forms.ChoiceField(
        label="Stop the old key",
        choices=[(value, label) for value, label, _ in GRACE_CHOICES],
        widget=RadioWithHelp({value: help_text for value, _, help_text in GRACE_CHOICES}),
        initial="24h",
    )

    def clean_grace(self) -> timedelta:
        return GRACE_PERIODS[self.cleaned_data["grace"]]


class KeyFilterForm(Form):
    """The list's search box (a name, or a key's last characters) and status filter, sent by GET."""

    STATUSES = {  # choice: the ``PrivateKey.Status`` values it shows
        "active": (PrivateKey.Status.ACTIVE,),
        "expired": (PrivateKey.Status.EXPIRED, PrivateKey.Status.ROLLED),
        "inactive": (PrivateKey.Status.INACTIVE, PrivateKey.Status.LEAKED),
    }
    q = forms.CharField(
        label="Search keys",
        max_length=100,
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": "Name or last 4 characters", "autocomplete": "off"}),
        bound_field_class=UnechoedWhenRefused,
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("", "All keys"),
            ("active", "Active"),
            ("expiring", f"Expiring within {lifetime_label(EXPIRY_WARNING)}"),
            ("expired", "Expired"),
            ("inactive", "Deactivated"),
        ],
    )

    def clean_q(self) -> str:
        q = self.cleaned_data["q"].strip()
        if secrets.SHAPE.search(q):
            # The page never echoes it (UnechoedWhenRefused); the script stops it before it reaches a URL.
            raise forms.ValidationError(
                "That is a whole secret, so it was not searched for: a search goes into the URL. Treat it as "
                "exposed: find its key by its last four characters and roll it."
            )
        return q

    def filter(self, keys):
        """Return the keys (a queryset) that match the search and the status, as a list."""
        if not self.is_valid():
            return list(keys)
        q, status = self.cleaned_data["q"], self.cleaned_data["status"]
        if q:
            tail = q.rsplit("…", 1)[-1].strip()
            match = Q(name__icontains=q)
            if len(tail) == secrets.HINT_LENGTH:
                match |= Q(hint=tail)
            keys = keys.filter(match)
        keys = list(keys)
        if status == "expiring":
            return [key for key in keys if key.expires_soon]
        if status:
            return [key for key in keys if key.status in self.STATUSES[status]]
        return keys

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


class ActivityFilterForm(Form):
    """The activity page's filters (GET): one key (deleted ones too), one action, one person."""

    key = forms.ChoiceField(label="Key", required=False)
    action = forms.ChoiceField(label="What", required=False)
    actor = forms.ChoiceField(label="Who", required=False)

    def __init__(self, data, *, events):
        super().__init__(data)
        keys = {}  # the newest name of each key, events being newest first
        for public_id, name, hint in events.values_list("key_public_id", "key_name", "key_hint"):
            keys.setdefault(str(public_id), f"{name} (…{hint})")
        self.fields["key"].choices = [
            ("", "All keys"),
            *sorted(keys.items(), key=lambda item: item[1].lower()),
        ]
        self.fields["action"].choices = [("", "Everything"), *events.model.Action.choices]
        actors = events.order_by().values_list("actor_label", flat=True).distinct()
        self.fields["actor"].choices = [
            ("", "Everybody"),
            *((label, label) for label in sorted(set(actors)) if label),
        ]

    def filter(self, events):
        """Return ``events`` narrowed by the valid filters; an invalid one is ignored and shown."""
        self.is_valid()
        chosen = {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}
        if "key" in chosen:
            events = events.filter(key_public_id=chosen["key"])
        if "action" in chosen:
            events = events.filter(action=chosen["action"])
        if "actor" in chosen:
            events = events.filter(actor_label=chosen["actor"])
        return events


class DeactivateForm(Form):
    reason = forms.CharField(
        max_length=500,
        required=False,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. Shown in the key's activity, e.g. “Leaked in a public repository”.",
    )
