from __future__ import annotations

import datetime
import re
from datetime import timedelta

from django import forms
from django.utils import timezone

from apikeys import scopes
from apikeys.http import normalize_network
from apikeys.models import MAX_ALLOWED_IPS
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

EXPIRY_NEVER, EXPIRY_DATE = "never", "date"
EXPIRY_CHOICES = [
    (EXPIRY_NEVER, "No expiry"),
    ("30", "In 30 days"),
    ("60", "In 60 days"),
    ("90", "In 90 days"),
    (EXPIRY_DATE, "On a date"),
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


class KeyForm(forms.Form):
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
        choices=ACCESS_CHOICES, widget=forms.RadioSelect, initial=scopes.ACCESS_READ_ONLY
    )
    # Not required: a form posted without it (an older page) makes a key that never expires.
    expires = forms.ChoiceField(label="Expiry", choices=EXPIRY_CHOICES, initial=EXPIRY_NEVER, required=False)
    expires_on = forms.DateField(
        label="Expiry date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="With “On a date”: the key stops working at 00:00 UTC that day, within a year from now.",
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
        cleaned["expires_at"] = self._expires_at(cleaned)
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

    def _expires_at(self, cleaned) -> datetime.datetime | None:
        """Turn the expiry choice into a time, or add an error to ``expires_on``."""
        choice, day = cleaned.get("expires"), cleaned.get("expires_on")
        now = timezone.now()
        if choice in (None, "", EXPIRY_NEVER):
            return None
        if choice != EXPIRY_DATE:
            return now + timedelta(days=int(choice))
        if day is None:
            if "expires_on" not in self.errors:
                self.add_error("expires_on", "Choose the date the key stops working.")
            return None
        today = now.astimezone(datetime.UTC).date()
        if day <= today:
            self.add_error("expires_on", "Choose a date after today.")
            return None
        if day > (now + MAX_EXPIRY).date():
            self.add_error("expires_on", "Choose a date within a year, or “No expiry”.")
            return None
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)

    def _scope_errors(self) -> bool:
        return any(name.startswith(SCOPE_FIELD_PREFIX) for name in self.errors)

    def access_options(self):
        """Return ``(radio, help)`` pairs for the access choices."""
        return [(radio, ACCESS_HELP[radio.data["value"]]) for radio in self["access"]]

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


class RollForm(forms.Form):
    grace = forms.ChoiceField(
        label="Stop the old key",
        choices=[(value, label) for value, label, _ in GRACE_CHOICES],
        widget=forms.RadioSelect,
        initial="24h",
    )

    def clean_grace(self) -> timedelta:
        return GRACE_PERIODS[self.cleaned_data["grace"]]

    def grace_options(self):
        """Return ``(radio, help)`` pairs for the grace periods."""
        helps = {value: help_text for value, _, help_text in GRACE_CHOICES}
        return [(radio, helps[radio.data["value"]]) for radio in self["grace"]]


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        required=False,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. Shown in the key's activity, e.g. “Leaked in a public repository”.",
    )
