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


def test_it_renders_the_summary_on_the_host_forms_built_from_the_form_partial(client, owner):
    client.force_login(owner)
    response = client.post("/settings/users/invite/", {"email": "not an email", "role": "manager"})
    html = response.content.decode()
    assert "data-error-summary" in html and '<a href="#id_email">Email' in html


def test_it_loads_the_focus_script_on_every_page_of_the_host(client, owner):
    client.force_login(owner)
    assert (
        '<script src="/static/apikeys/js/error_summary.js" defer></script>'
        in client.get("/settings/").content.decode()
    )
