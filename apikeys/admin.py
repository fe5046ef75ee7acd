"""The support console for keys: find a key, read its activity, deactivate it; never a secret or a digest.

Keys change only through their verbs, so nobody adds, edits or deletes one here; deactivation, for holders
of ``apikeys.deactivate_privatekey``, is the one change. A whole secret is found by POST, never in a search
URL. Design: docs/decisions/support-admin.md.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters

from apikeys import secrets
from apikeys.http import client_ip
from apikeys.models import KeyEvent, PrivateKey
from apikeys.validators import refuse_control_characters

# Columns that must never reach a page, not even read-only, nor be probed with ?digest__startswith=…
HIDDEN_FIELDS = ("digest", "pepper_id")
# Support staff may type a key as the tab shows it (pk_…abcd); the search wants its last 4 characters.
MASKED_KEY_PREFIX = re.compile(r"(?<!\S)(?:pk_)?(?:…|\.\.\.)(?=\w)")
SEARCH_HELP = (
    "Name, last 4 characters of the key (pk_…abcd), or what finds the account in its own admin. "
    "For a whole secret, use Find by secret: a search goes into the URL."
)
NAMES_IN_MESSAGE = 10
SECRET_SEARCH_REFUSED = (
    "That search held a whole secret, so it was not run: a search goes into the URL, and from there into "
    "browser history and proxy logs. Find the key here instead, and treat the secret as exposed."
)


def _account_link(account) -> str:
    """Link to the account's admin page, where the host registers one."""
    meta = account._meta
    try:
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[quote(account.pk)])
    except NoReverseMatch:
        return str(account)
    return format_html('<a href="{}">{}</a>', url, account)


def account_search_fields(admin_site) -> tuple[str, ...]:
    """Return the account admin's search fields as lookups through ``account`` (none if not registered)."""
    account_model = PrivateKey._meta.get_field("account").related_model
    account_admin = admin_site._registry.get(account_model)
    fields = account_admin.search_fields if account_admin else ()
    return tuple(
        f"{field[0]}account__{field[1:]}" if field[0] in "=^@" else f"account__{field}" for field in fields
    )


def _key_list(keys) -> str:
    names = [str(key) for key in keys[:NAMES_IN_MESSAGE]]
    more = len(keys) - len(names)
    return ", ".join(names) + (f" and {more} more" if more else "")


class FindBySecretForm(forms.Form):
    secret = forms.CharField(
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false", "size": 45}),
        help_text="The whole key, pk_ and 34 characters. It is sent in the body of this form, never in a "
        "URL, and is not kept.",
    )

    def clean_secret(self) -> str:
        secret = self.cleaned_data["secret"]
        if not secrets.is_well_formed(secret):
            raise forms.ValidationError(
                "This is not a whole Keyward secret: pk_ and 34 letters and digits, the last 6 a checksum. "
                "Check it was copied whole; to find a key by its last 4 characters, search the list."
            )
        self.key = PrivateKey.objects.for_secret(secret)
        if self.key is None:
            raise forms.ValidationError(
                "No key has this secret: it is well formed, so its key was deleted, or it was never ours."
            )
        return secret


# What Django's list filters put in a changelist's query string after a filtered field's path.
FILTER_SUFFIXES = ("exact", "isnull", "gte", "lt", "isempty", "id__exact", "pk__exact")


class SafeLookups:
    """Admin mixin: a changelist filters only as its own list filters do; anything else answers 400.

    Other lookups may fail in the database as a 500 (docs/decisions/support-admin.md).
    """

    def lookup_allowed(self, lookup, value, request=None):
        if "\x00" in str(value) or lookup not in self._offered_lookups(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    def _offered_lookups(self, request) -> set[str]:
        offered = set()
        for item in self.get_list_filter(request):
            if isinstance(item, str | list | tuple):
                path = item if isinstance(item, str) else item[0]
                offered |= {f"{path}__{suffix}" for suffix in FILTER_SUFFIXES}
            else:  # a SimpleListFilter reads its own parameter, whatever it holds
                offered.add(item.parameter_name)
        return offered


class RefuseSecretSearches:
    """Admin mixin: a search holding a whole secret is not run nor shown again; staff go to the finder.

    Every changelist with a search uses it (keys, key activity, accounts, memberships, users).
    """

    def changelist_view(self, request, extra_context=None):
        if secrets.SHAPE.search(request.GET.get("q", "")):
            messages.warning(request, SECRET_SEARCH_REFUSED)
            return redirect("admin:apikeys_privatekey_find")
        # For static/js/secret_search.js, which stops such a search before it leaves the browser.
        extra_context = {**(extra_context or {}), "secret_shape": secrets.SHAPE.pattern}
        return super().changelist_view(request, extra_context)


class SupportDeactivateForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Required. The account's owners and admins see it on the key's page and in its activity.",
    )


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("expired", "Expired"), ("inactive", "Inactive")]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.usable()
        if self.value() == "expired":
            return queryset.expired()
        if self.value() == "inactive":
            return queryset.inactive()
        return queryset


class ReadOnlyMixin:
    """Nobody adds, edits or deletes these rows in the admin; they change only through model verbs."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class KeyEventInline(ReadOnlyMixin, admin.TabularInline):
    model = KeyEvent
    fk_name = "key"
    fields = ("created_at", "action", "actor_label", "ip_address", "details")
    readonly_fields = fields
    extra = 0
    verbose_name_plural = "activity"


@admin.register(PrivateKey)
class PrivateKeyAdmin(RefuseSecretSearches, SafeLookups, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "account_link", "masked_key", "status", "created_at", "last_used_at")
    list_filter = (StatusFilter, ("account", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("account",)
    search_fields = ("name", "hint")
    search_help_text = SEARCH_HELP
    exclude = HIDDEN_FIELDS
    fieldsets = (
        (None, {"fields": ("name", "account", "masked_key", "status", "public_id")}),
        ("Access", {"fields": ("access_summary", "scope_list")}),
        ("History", {"fields": ("created_by", "created_at", "cloned_from", "rolled_to", "rolled_at")}),
        ("Limits", {"fields": ("expires_at", "ip_allowlist")}),
        ("Last use", {"fields": ("last_used_at", "last_used_ip", "last_used_user_agent")}),
        (
            "Deactivation",
            {"fields": ("deactivated_at", "deactivated_by_label", "deactivation_reason")},
        ),
    )
    # The page is read-only through the permissions; these are the computed rows it shows.
    readonly_fields = ("masked_key", "status", "access_summary", "scope_list", "ip_allowlist")
    inlines = [KeyEventInline]
    actions = ["deactivate_selected"]
    view_on_site = False  # the tab's key page is for the account's members, not for staff

    def get_search_fields(self, request):
        return (*self.search_fields, *account_search_fields(self.admin_site))

    @admin.display(description="Account", ordering="account")
    def account_link(self, key):
        return _account_link(key.account)

    @admin.display(description="Key", ordering="hint")
    def masked_key(self, key):
        return key.masked

    @admin.display(description="Status", ordering="-deactivated_at")
    def status(self, key):
        return key.status_label

    @admin.display(description="IP allowlist")
    def ip_allowlist(self, key):
        return ", ".join(key.allowed_ips) or "Any address"

    @admin.display(description="Scopes")
    def scope_list(self, key):
        return ", ".join(sorted(key.scopes)) or "None"

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] in HIDDEN_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, MASKED_KEY_PREFIX.sub("", search_term))

    def get_actions(self, request):
        # No deletion here, whatever the permissions say: a key is deleted by its account, once inactive.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_deactivate_permission(self, request, obj=None):
        return request.user.has_perm(
            f"{self.opts.app_label}.{get_permission_codename('deactivate', self.opts)}"
        )

    def get_urls(self):
        deactivate = path(
            "<path:object_id>/deactivate/",
            self.admin_site.admin_view(self.deactivate_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_deactivate",
        )
        find = path(
            "find/",
            self.admin_site.admin_view(self.find_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_find",
        )
        return [find, deactivate, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_deactivate": self.has_deactivate_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Deactivate selected keys", permissions=["deactivate"])
    def deactivate_selected(self, request, queryset):
        keys = list(queryset)
        if not any(key.is_active for key in keys):
            self.message_user(
                request, f"Nothing deactivated: already inactive: {_key_list(keys)}.", messages.WARNING
            )
            return None
        form = SupportDeactivateForm(request.POST if "post" in request.POST else None)
        if form.is_valid():
            self._deactivate(request, keys, form.cleaned_data["reason"])
            return None
        return self._confirmation(request, keys, form, action="deactivate_selected")

    def deactivate_view(self, request, object_id):
        """Deactivate one key from its page, after the same confirmation as the action."""
        if not self.has_deactivate_permission(request):
            raise PermissionDenied
        key = self.get_object(request, unquote(object_id))
        if key is None:
            raise Http404("No such key.")
        change_url = self._change_url(key)
        if not key.is_active:
            self.message_user(request, f"{key} is already inactive; nothing changed.", messages.WARNING)
            return redirect(change_url)
        form = SupportDeactivateForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            self._deactivate(request, [key], form.cleaned_data["reason"])
            return redirect(change_url)
        return self._confirmation(request, [key], form, cancel_url=change_url)

    @method_decorator(sensitive_post_parameters("secret"))
    def find_view(self, request):
        """Open the key whose whole secret staff paste in (leaked, or sent by its owner), active or not."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = FindBySecretForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            key = form.key
            self.message_user(request, f"This is the key with that secret: {key}, of {key.account}.")
            return redirect(self._change_url(key))
        context = {
            **self.admin_site.each_context(request),
            "title": "Find a key by its secret",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "is_popup": False,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/apikeys/privatekey/find.html", context)

    def _change_url(self, key) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[quote(key.pk)],
            current_app=self.admin_site.name,
        )

    def _deactivate(self, request, keys, reason: str) -> None:
        deactivated, skipped = [], []
        with transaction.atomic():
            for key in keys:
                if key.deactivate(by=request.user, reason=reason, ip=client_ip(request), by_support=True):
                    deactivated.append(key)
                    self.log_change(request, key, f"Deactivated. Reason: {reason}")
                else:
                    skipped.append(key)
        if deactivated:
            noun = "key" if len(deactivated) == 1 else "keys"
            self.message_user(
                request, f"Deactivated {len(deactivated)} {noun}: {_key_list(deactivated)}.", messages.SUCCESS
            )
        if skipped:
            self.message_user(
                request,
                f"Skipped {len(skipped)} already inactive: {_key_list(skipped)}.",
                messages.WARNING,
            )

    def _confirmation(self, request, keys, form, *, action: str = "", cancel_url: str = ""):
        active = [key for key in keys if key.is_active]
        noun = "key" if len(active) == 1 else "keys"
        context = {
            **self.admin_site.each_context(request),
            "title": f"Deactivate {len(active)} {noun}",
            "subtitle": None,
            "opts": self.opts,
            "active_keys": active,
            "inactive_keys": [key for key in keys if not key.is_active],
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "cancel_url": cancel_url,
            "is_popup": IS_POPUP_VAR in request.GET,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/apikeys/privatekey/deactivate_confirmation.html", context)


@admin.register(KeyEvent)
class KeyEventAdmin(RefuseSecretSearches, SafeLookups, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "action", "key_link", "account_link", "actor_label", "ip_address")
    list_filter = ("action", ("account", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("account",)
    search_fields = ("key_name", "key_hint", "actor_label")
    search_help_text = "Key name, last 4 characters of the key (pk_…abcd) or the actor's email."
    fields = (
        "created_at",
        "action",
        "account",
        "key",
        "key_name",
        "key_masked",
        "actor",
        "actor_label",
        "ip_address",
        "details",
    )
    readonly_fields = fields

    @admin.display(description="Key", ordering="key_name")
    def key_link(self, event):
        label = f"{event.key_name} ({event.key_masked})"
        if event.key_id is None:
            return f"{label}, deleted"
        url = reverse("admin:apikeys_privatekey_change", args=[quote(event.key_id)])
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description="Account", ordering="account")
    def account_link(self, event):
        return _account_link(event.account)

    @admin.display(description="Key")
    def key_masked(self, event):
        return event.key_masked

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, MASKED_KEY_PREFIX.sub("", search_term))
