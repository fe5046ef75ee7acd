"""Forms of the Users tab and the invitation page. They validate input; the model verbs act."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import SetPasswordForm

from accounts import roles
from accounts.models import Invitation, User
from accounts.roles import Role
from apikeys.validators import refuse_control_characters

ROLE_CHOICE_ERROR = "Choose one of the listed roles."


class InviteForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        validators=[refuse_control_characters],
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        choices=[(role.value, role.label) for role in roles.assignable_roles()],
        initial=Role.MANAGER,
        error_messages={"invalid_choice": ROLE_CHOICE_ERROR},
        help_text="Only owners and admins can open the API keys tab. "
        "To make someone owner, invite them as admin, then transfer ownership.",
    )

    def __init__(self, *args, account, **kwargs):
        self.account = account
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).strip().lower()
        if self.account.memberships.filter(user__email__iexact=email).exists():
            raise forms.ValidationError(f"{email} is already a member of this account.")
        if Invitation.objects.pending().filter(account=self.account, email=email).exists():
            raise forms.ValidationError(
                f"{email} has already been invited: resend the invitation from the list below."
            )
        return email


class RoleForm(forms.Form):
    """Any known role passes here, so that the roles module, not the form, explains why "owner" is refused."""

    role = forms.ChoiceField(choices=Role.choices, error_messages={"invalid_choice": ROLE_CHOICE_ERROR})


class AcceptInvitationForm(SetPasswordForm):
    """Set the password of the login an invitation creates (the user is saved by Invitation.accept)."""

    name = forms.CharField(
        max_length=150,
        required=False,
        validators=[refuse_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["name", "new_password1", "new_password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Password"
        self.fields["new_password2"].label = "Password again"

    def save(self) -> User:
        """Return the new user, unsaved, with name and password set."""
        user = super().save(commit=False)
        user.name = self.cleaned_data["name"].strip()
        return user
