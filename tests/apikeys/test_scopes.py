"""The scope catalogue and presets of apikeys/scopes.py, pinned: a change here changes what keys may do."""

import pytest

from apikeys import scopes

# Every resource with the scope levels it offers, as published to customers.
CATALOGUE = {
    "accounts": ("read",),
    "campaigns": ("read", "write"),
    "catalogs": ("read", "write"),
    "conversations": ("read", "write"),
    "coupon-codes": ("read", "write"),
    "coupons": ("read", "write"),
    "custom-objects": ("read", "write"),
    "data-privacy": ("write",),
    "events": ("read", "write"),
    "flows": ("read", "write"),
    "forms": ("read", "write"),
    "images": ("read", "write"),
    "lists": ("read", "write"),
    "metrics": ("read", "write"),
    "profiles": ("read", "write"),
    "push-tokens": ("read", "write"),
    "reviews": ("read", "write"),
    "segments": ("read", "write"),
    "subscriptions": ("read", "write"),
    "tags": ("read", "write"),
    "templates": ("read", "write"),
    "tracking-settings": ("read", "write"),
    "web-feeds": ("read", "write"),
    "webhooks": ("read", "write"),
}


def test_it_offers_exactly_the_published_resources_and_levels_in_order():
    assert [(r.name, r.levels) for r in scopes.CATALOGUE] == list(CATALOGUE.items())
    assert set(scopes.RESOURCES) == set(CATALOGUE)


def test_it_names_every_scope_resource_colon_level():
    expected = {f"{name}:{level}" for name, levels in CATALOGUE.items() for level in levels}
    assert expected == scopes.ALL_SCOPES
    assert len(scopes.ALL_SCOPES) == 46


def test_it_offers_the_levels_each_resource_allows_in_the_matrix():
    assert scopes.RESOURCES["accounts"].ui_levels == ("none", "read")
    assert scopes.RESOURCES["data-privacy"].ui_levels == ("none", "full")
    assert scopes.RESOURCES["lists"].ui_levels == ("none", "read", "full")
    assert scopes.RESOURCES["lists"].scopes_for("full") == ["lists:read", "lists:write"]
    assert scopes.RESOURCES["data-privacy"].scopes_for("full") == ["data-privacy:write"]
    with pytest.raises(ValueError, match="accounts does not offer 'full' access"):
        scopes.RESOURCES["accounts"].scopes_for("full")


def test_it_grants_every_scope_with_full_access():
    assert scopes.PRESETS["full"] == scopes.FULL_ACCESS == scopes.ALL_SCOPES


def test_it_grants_only_read_scopes_with_read_only():
    expected = {f"{name}:read" for name, levels in CATALOGUE.items() if "read" in levels}
    assert scopes.PRESETS["read_only"] == scopes.READ_ONLY == expected
    assert "data-privacy:write" not in scopes.READ_ONLY and len(scopes.READ_ONLY) == 23


def test_it_normalizes_scopes_sorted_and_without_duplicates():
    assert scopes.normalize(["lists:write", "lists:read", "lists:write"]) == ["lists:read", "lists:write"]


@pytest.mark.parametrize(
    "bad",
    [["lists:admin"], ["lists:read", "nope:read"], ["accounts:write"], ["data-privacy:read"], ["LISTS:READ"]],
)
def test_it_rejects_unknown_scopes(bad):
    with pytest.raises(ValueError, match="Unknown scope"):
        scopes.normalize(bad)


def test_it_rejects_no_scope_at_all():
    with pytest.raises(ValueError, match="at least one scope"):
        scopes.normalize([])


def test_it_turns_matrix_levels_into_scopes_and_rejects_unknown_resources():
    assert scopes.scopes_from_levels({"lists": "full", "accounts": "read", "flows": "none"}) == [
        "accounts:read",
        "lists:read",
        "lists:write",
    ]
    with pytest.raises(ValueError, match="Unknown resource: billing"):
        scopes.scopes_from_levels({"billing": "read"})


def test_it_reads_each_resources_level_back_from_scopes():
    levels = dict(
        (r.name, level) for r, level in scopes.levels_of(["lists:read", "lists:write", "flows:read"])
    )
    assert levels["lists"] == "full" and levels["flows"] == "read" and levels["accounts"] == "none"
    assert len(levels) == len(CATALOGUE)


@pytest.mark.parametrize(
    ("granted", "summary"),
    [
        (scopes.FULL_ACCESS, "Full access"),
        (scopes.READ_ONLY, "Read-only"),
        (["lists:read"], "Custom: 1 resource"),
        (["lists:read", "lists:write", "flows:read"], "Custom: 2 resources"),  # resources, not scope strings
        (scopes.READ_ONLY - {"accounts:read"}, "Custom: 22 resources"),
        (scopes.READ_ONLY | {"lists:write"}, "Custom: 23 resources"),
    ],
)
def test_it_summarizes_access_in_a_few_words(granted, summary):
    assert scopes.summary(granted) == summary
