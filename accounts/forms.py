"""Forms of the Users tab, the invitation page, the password change and two-factor log-in.

They validate input; the model verbs act.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.forms.renderers import DjangoTemplates

from accounts import roles, twofactor
from accounts.models import Invitation, User
from accounts.roles import Role
from accounts.throttling import guarded_check
from apikeys.validators import refuse_control_characters

ROLE_CHOICE_ERROR = "Choose one of the listed roles."


class FormRenderer(DjangoTemplates):
    """``FORM_RENDERER``: the host's forms look like the API keys tab's (an error summary, then one group per
    field), from the same templates."""

    form_template_name = "apikeys/_form.html"
    field_template_name = "apikeys/_field.html"


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


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Django's password change, with the old password's check throttled like a log-in (finding 2)."""

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        if not guarded_check(self.request, self.user.email, lambda: self.user.check_password(old_password)):
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class CodeForm(forms.Form):
    """A code from the authenticator app (or, at log-in, a recovery code)."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class LoginCodeForm(CodeForm):
    """The log-in's second step: a code for the user who passed the password step, throttled per user."""

    def __init__(self, *args, request, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.request, self.user = request, user
        self.fields["code"].help_text = "The 6 digits your app shows, or one of your recovery codes."

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        passed = guarded_check(
            self.request, self.user.email, lambda: twofactor.check_code(self.user, code), kind="otp"
        )
        if not passed:
            raise forms.ValidationError("That code is not right, or was already used.", code="invalid")
        return code


class TwoFactorPolicyForm(forms.Form):
    required = forms.BooleanField(required=False)
