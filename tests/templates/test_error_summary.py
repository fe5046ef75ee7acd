"""The error summary: at the top of a form with errors, one link to each bad field."""

from __future__ import annotations

from apikeys.forms import KeyForm
from apikeys.templatetags.apikeys import error_summary


def test_it_links_each_error_to_its_field_in_field_order():
    form = KeyForm({"name": "", "access": "custom", "expires": "date", "allowed_ips": "nope"})
    anchors = [anchor for anchor, _ in error_summary(form)]
    assert anchors == ["#id_name", "#id_access_0", "#id_expires_on", "#id_allowed_ips"]


def test_it_names_the_field_in_each_message():
    form = KeyForm({"name": "", "access": "read_only"})
    assert error_summary(form) == [("#id_name", "Name: This field is required.")]


def test_it_gives_nothing_for_an_unbound_or_valid_form():
    assert error_summary(KeyForm()) == []
    assert error_summary(KeyForm({"name": "Zapier", "access": "read_only"})) == []


def test_it_renders_the_summary_on_the_create_page(client, owner):
    client.force_login(owner)
    response = client.post("/settings/api-keys/new/", {"name": "", "access": "read_only"})
    html = response.content.decode()
    assert 'class="error-summary" role="alert" tabindex="-1" data-error-summary' in html
    assert '<a href="#id_name">Name: This field is required.</a>' in html
