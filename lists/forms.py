"""Validation of the JSON the Lists API and the client endpoint accept (after lists.api.read_object)."""

from django import forms

from lists.models import List, Subscription

EMAIL_MAX_LENGTH = Subscription._meta.get_field("email").max_length


class ListForm(forms.ModelForm):
    """A list's name: trimmed, 1-100 characters, any language."""

    class Meta:
        model = List
        fields = ["name"]


class SubscriptionForm(forms.Form):
    email = forms.EmailField(max_length=EMAIL_MAX_LENGTH)
    list_id = forms.UUIDField()

    def clean_email(self) -> str:
        """Return the email as it is stored (trimmed, lower-cased), checked against the column's length.

        Checked again after lower-casing, which can lengthen an address ('İ' becomes 'i̇', two code points).
        """
        email = self.cleaned_data["email"].strip().lower()
        if len(email) > EMAIL_MAX_LENGTH:
            raise forms.ValidationError(
                "Ensure this value has at most %(limit)d characters once lower-cased (it has %(length)d).",
                code="max_length",
                params={"limit": EMAIL_MAX_LENGTH, "length": len(email)},
            )
        return email
