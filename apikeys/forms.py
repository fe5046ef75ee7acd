from __future__ import annotations

from django import forms

from apikeys import scopes

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


class KeyForm(forms.Form):
    """A new private key: a name, and access as a preset or a matrix of ``scope-<resource>`` radio groups.

    The matrix fields are always validated, so a tampered POST (unknown resource or level) is an error even
    when a preset is chosen.
    """

    name = forms.CharField(
        max_length=100,
        help_text="Say where the key will be used, e.g. “Zapier” or “Warehouse sync”. Up to 100 characters.",
    )
    access = forms.ChoiceField(
        choices=ACCESS_CHOICES, widget=forms.RadioSelect, initial=scopes.ACCESS_READ_ONLY
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
                raise forms.ValidationError(
                    "With custom access, give at least one resource read or full access."
                )
        return cleaned

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


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. Shown in the key's activity, e.g. “Leaked in a public repository”.",
    )
