"""Validation of the JSON the Lists API and the client endpoint accept (after lists.api.read_object)."""

from django import forms

from lists.models import List


class ListForm(forms.ModelForm):
    """A list's name: trimmed, 1-100 characters, any language."""

    class Meta:
        model = List
        fields = ["name"]


class SubscriptionForm(forms.Form):
    email = forms.EmailField(max_length=254)
    list_id = forms.UUIDField()
