"""Users, accounts and memberships in the admin: support staff look, superusers may change.

Permissions decide (the Support group only views here), and every account keeps exactly one owner: only a
transfer moves it. Design: docs/decisions/support-admin.md.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.utils import quote
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles, twofactor
from accounts.models import Account, Membership, User
from accounts.roles import Role
from apikeys import mail
from apikeys.admin import RefuseSecretSearches, SafeLookups
from apikeys.http import client_ip
from apikeys.models import KeyEvent, KeyUsage, PrivateKey, usable_condition

# Rows deleted along with their account, though their own admin pages never delete them (keys, events) or
# not all of them (the owner's membership).
GOES_WITH_ITS_ACCOUNT = (PrivateKey, KeyEvent, KeyUsage, Membership)
# An account always has exactly one owner; only a transfer (Membership.make_owner) moves it.
HOW_OWNERSHIP_MOVES = (
    "An account always has exactly one owner. To change it, make another member the owner first: the owner "
    "transfers ownership to an admin in the product's Users tab (Settings > Users), and becomes an admin; "
    "or a superuser selects that admin here and runs the action “Make the selected admin the owner”."
)

# Django's own group admin, with the same guards as every other changelist here.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(RefuseSecretSearches, SafeLookups, DjangoGroupAdmin):
    pass


admin.site.site_header = "Keyward admin"
admin.site.site_title = "Keyward admin"
admin.site.index_title = "Support console"


class UserCreationAdminForm(AdminUserCreationForm):
    """Create a user from an email address (there is no username)."""

    class Meta:
        model = User
        fields = ("email", "name")


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class ReadOnlyInline(admin.TabularInline):
    """A list of related rows on a page; they are changed on their own admin pages, if at all."""

    extra = 0
    can_delete = False
    show_change_link = True
    view_on_site = False  # a key's page on the tab is for the account's members, not for staff

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AccountMemberInline(ReadOnlyInline):
    model = Membership
    fields = ("user", "role", "created_at")
    readonly_fields = fields
    verbose_name_plural = "members"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "account")


class UserMembershipInline(AccountMemberInline):
    fields = ("account", "role", "created_at")
    readonly_fields = fields
    verbose_name_plural = "accounts"


class PrivateKeyInline(ReadOnlyInline):
    model = PrivateKey
    fields = ("key_link", "masked_key", "status", "access_summary", "created_at", "last_used_at")
    readonly_fields = fields
    verbose_name_plural = "private keys"

    @admin.display(description="Name")
    def key_link(self, key):
        url = reverse("admin:apikeys_privatekey_change", args=[quote(key.pk)])
        return format_html('<a href="{}">{}</a>', url, key.name)

    @admin.display(description="Key")
    def masked_key(self, key):
        return key.masked

    @admin.display(description="Status")
    def status(self, key):
        return key.status_label  # PrivateKey.Status: expired, rolled, in a grace period, inactive…

    @admin.display(description="Access")
    def access_summary(self, key):
        return key.access_summary


@admin.register(User)
class UserAdmin(RefuseSecretSearches, SafeLookups, DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "name", "is_staff", "is_superuser", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "name")
    ordering = ("email",)
    inlines = [UserMembershipInline]
    actions = ["turn_off_two_factor"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # the add page has one form: email and password

    @admin.action(
        permissions=["change"], description="Turn off two-factor log-in (lost phone and recovery codes)"
    )
    def turn_off_two_factor(self, request, queryset):
        """For a user who lost both their phone and their recovery codes; each is emailed that it happened."""
        users = [user for user in queryset if twofactor.has_two_factor(user)]
        for user in users:
            twofactor.disable(user)
            context = {"user": user, "when": timezone.now(), "ip": None}
            mail.send("accounts/email/two_factor_disabled", [user.email], context)
        names = ", ".join(user.email for user in users) or "nobody (none of them had it on)"
        self.message_user(request, f"Two-factor log-in turned off for {names}.", messages.SUCCESS)

    def get_deleted_objects(self, objs, request):
        """Refuse to delete a user who owns an account, saying why: the account would have no owner."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        owned = Membership.objects.filter(user__in=objs, role=Role.OWNER).select_related("user", "account")
        if owned:
            protected = [*protected, *(f"{m.user} owns {m.account}. {HOW_OWNERSHIP_MOVES}" for m in owned)]
            if self.admin_site.get_model_admin(Membership).has_delete_permission(request):
                perms_needed.discard(Membership._meta.verbose_name)  # lacking only for the owner rows
        return to_delete, model_count, perms_needed, protected


@admin.register(Account)
class AccountAdmin(RefuseSecretSearches, SafeLookups, admin.ModelAdmin):
    list_display = ("name", "public_key", "member_count", "active_key_count", "created_at")
    search_fields = ("name", "=public_key", "=memberships__user__email")
    search_help_text = "Account name, public key, or a member's email address."
    fields = ("name", "public_key", "is_two_factor_required", "created_at")
    readonly_fields = ("public_key", "is_two_factor_required", "created_at")  # the owner's choice
    inlines = [AccountMemberInline, PrivateKeyInline]

    def get_inlines(self, request, obj):
        # A new account has no members or keys yet; members join and keys are issued elsewhere.
        return self.inlines if obj is not None else []

    def get_queryset(self, request):
        # "Active" means what the API accepts: not deactivated and not expired (rolled keys expire too).
        usable = usable_condition("private_keys__")
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_count=Count("memberships", distinct=True),
                active_key_count=Count("private_keys", filter=usable, distinct=True),
            )
        )

    def get_deleted_objects(self, objs, request):
        """Let whoever may delete an account delete its keys, their activity and usage with it.

        Their own admins refuse deletion to everyone, which would otherwise block deleting the account.
        """
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed -= {model._meta.verbose_name for model in GOES_WITH_ITS_ACCOUNT}
        return to_delete, model_count, perms_needed, protected

    @admin.display(description="Members", ordering="member_count")
    def member_count(self, account):
        return account.member_count

    @admin.display(description="Active keys", ordering="active_key_count")
    def active_key_count(self, account):
        return account.active_key_count


class IdOnlyAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete, minus a 500: re-rendering a form posted with a value that is no id
    (``user=abc``) would look that value up in the database; such values are simply not shown."""

    def optgroups(self, name, value, attr=None):
        pk = self.field.remote_field.model._meta.pk
        return super().optgroups(name, [v for v in value if _is_id(pk, v)], attr)


def _is_id(pk, value) -> bool:
    try:
        pk.to_python(value)
    except ValidationError:
        return False
    return True


class MembershipAdminForm(forms.ModelForm):
    """Keep exactly one owner per account: the owner's row keeps its role, account and user, and nobody
    becomes a second owner (the database would refuse it, with a message no one understands)."""

    class Meta:
        model = Membership
        fields = ("user", "account", "role")

    def clean(self):
        cleaned_data = super().clean()
        stored = self.instance  # still the row as loaded: the form's values are applied after clean()
        if stored.pk is not None and stored.role == Role.OWNER:
            self._keep_owner_row(stored, cleaned_data)
        elif cleaned_data.get("role") == Role.OWNER and cleaned_data.get("account") is not None:
            account = cleaned_data["account"]
            owner = account.owner_membership
            if owner is not None and owner.pk != stored.pk:
                self.add_error("role", f"{account} already has an owner, {owner.user}. {HOW_OWNERSHIP_MOVES}")
        return cleaned_data

    def _keep_owner_row(self, stored, cleaned_data):
        who = f"{stored.user} is the owner of {stored.account}."
        if "role" in cleaned_data and cleaned_data["role"] != Role.OWNER:
            self.add_error("role", f"{who} {HOW_OWNERSHIP_MOVES}")
        if "account" in cleaned_data and cleaned_data["account"].pk != stored.account_id:
            self.add_error("account", f"{who} The owner's membership can't move to another account.")
        if "user" in cleaned_data and cleaned_data["user"].pk != stored.user_id:
            self.add_error(
                "user", f"{who} The owner's membership can't move to another user. {HOW_OWNERSHIP_MOVES}"
            )


@admin.register(Membership)
class MembershipAdmin(RefuseSecretSearches, SafeLookups, admin.ModelAdmin):
    form = MembershipAdminForm
    actions = ["delete_selected", "make_owner"]  # delete_selected: the method below, not the site-wide one
    list_display = ("user", "account", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "account")
    search_fields = ("user__email", "user__name", "account__name", "=account__public_key")
    autocomplete_fields = ("user", "account")
    fields = ("user", "account", "role", "created_at")
    readonly_fields = ("created_at",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", IdOnlyAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Deleting the owner's row would leave the account with no owner, and nobody to transfer it.
        if obj is not None and obj.role == Role.OWNER:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(
        permissions=["change"], description="Make the selected admin the owner (the owner becomes admin)"
    )
    def make_owner(self, request, queryset):
        """Hand an account to one of its admins when its owner cannot transfer it themselves."""
        if queryset.count() != 1:
            self.message_user(
                request, "Select exactly one membership: the admin who becomes owner.", messages.ERROR
            )
            return
        membership = queryset.select_related("user", "account").get()
        try:
            membership.make_owner_by_staff(staff=request.user, ip=client_ip(request))
        except roles.NotAllowed as error:
            self.message_user(request, f"{membership.user} was not made owner: {error}", messages.ERROR)
            return
        self.message_user(
            request,
            f"{membership.user} is now the owner of {membership.account}; the previous owner is an admin.",
            messages.SUCCESS,
        )

    @admin.action(permissions=["delete"], description=django_delete_selected.short_description)
    def delete_selected(self, request, queryset):
        """Django's bulk deletion, refused as a whole (nothing deleted) when an owner's row is selected."""
        owners = queryset.filter(role=Role.OWNER).select_related("user", "account")
        if owners:
            names = ", ".join(f"{m.user} (owner of {m.account})" for m in owners)
            self.message_user(
                request, f"Nothing deleted: you selected {names}. {HOW_OWNERSHIP_MOVES}", messages.ERROR
            )
            return None
        return django_delete_selected(self, request, queryset)


# django-otp's TOTP admin would show each authenticator's key (as a QR code) to superusers: not here.
admin.site.unregister(TOTPDevice)
