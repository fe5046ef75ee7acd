"""Who gets what from every URL of the site: a table that no view can escape.

The test walks the URLconf. Every URL pattern (named ones by name, e.g. ``apikeys:detail``, unnamed ones by
route) must have an entry in ``EXPECTED``, saying what each persona gets for each method: a URL added
without an entry fails ``test_it_has_an_entry_for_every_url``, and an entry whose URL is gone fails too.
Each entry is then requested by every persona: the members of one account in every role, its outsider
(owner of another account), an admin of it whose session has chosen another account where they are a
manager, support staff and a superuser (no account), anonymous visitors, and bearer keys (a full and a
read-only key of the account, an inactive one, and a key of another account).

Every request runs in a savepoint that is rolled back, so each persona meets the same world: a POST that
deletes a key for the owner leaves it there for the admin. POSTs carry valid data where a form wants it,
so "302" for an owner means the action went through; a request the table turns away (a log-in page, the
no-account page, any 4xx) must leave every row as it was and send no email. The CSRF check is proven
separately at the end.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse

from accounts.models import Invitation, Membership
from accounts.roles import Role
from apikeys import scopes
from apikeys.models import KeyEvent, PrivateKey
from lists.models import List
from tests.factories import PASSWORD, MembershipFactory, UserFactory, log_in
from tests.security.database import snapshot

GET, POST, PATCH, DELETE = "GET", "POST", "PATCH", "DELETE"


# What a persona gets back ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Redirect:
    """A 302 to a URL starting with ``to``."""

    to: str

    def __str__(self):
        return f"302 → {self.to}"


@dataclass(frozen=True)
class Page:
    """A response with ``status`` rendered from ``template``."""

    status: int
    template: str

    def __str__(self):
        return f"{self.status} {self.template}"


LOGIN = Redirect("/login/?next=")
ADMIN_LOGIN = Redirect("/admin/login/?next=")
NO_ACCOUNT = Page(200, "accounts/no_account.html")  # logged in, member of no account: nothing to see
FORBIDDEN = Page(403, "accounts/forbidden.html")  # a member whose role lacks the capability
ADMIN_REFUSED = Page(403, "accounts/admin_refused.html")  # logged in, but no staff (or no second factor)
# A link to a key of another of the user's accounts, where they manage keys: back to it, in that account.
SWITCHES = Redirect("the same URL, once in the key's account")
# A bare number is the status; 302 means a redirect anywhere but a log-in page (the action went through).
LOGIN_PAGES = (LOGIN.to, ADMIN_LOGIN.to)


def matches(expected, response) -> bool:
    asked = response.request["PATH_INFO"] + (f"?{q}" if (q := response.request["QUERY_STRING"]) else "")
    if expected in (LOGIN, ADMIN_LOGIN):  # and back to the page asked for, once logged in
        return response.status_code == 302 and response["Location"] == expected.to + quote(asked, safe="/")
    if expected == SWITCHES:
        return response.status_code == 302 and response["Location"] == asked
    if isinstance(expected, Redirect):
        return response.status_code == 302 and response["Location"].startswith(expected.to)
    if isinstance(expected, Page):
        templates = [t.name for t in response.templates]
        return response.status_code == expected.status and expected.template in templates
    if expected == 302:
        return response.status_code == 302 and not response["Location"].startswith(LOGIN_PAGES)
    return response.status_code == expected


def refuses(expected) -> bool:
    """Whether the table turns the request away: then it must change nothing."""
    if isinstance(expected, Redirect):
        return expected.to in LOGIN_PAGES
    if isinstance(expected, Page):
        return expected == NO_ACCOUNT or expected.status >= 400
    return expected >= 400


def describe(response) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code} → {response['Location']}"
    return str(response.status_code)


# Who asks --------------------------------------------------------------------------------------------------

MANAGERS = ("owner", "admin")  # may manage keys and users
OTHER_ROLES = ("manager", "analyst", "campaign_coordinator", "content_creator", "support_role")
MEMBERS = MANAGERS + OTHER_ROLES
OUTSIDER = "outsider"  # owner of another account
# Admin of the account and manager of the other one, which their session has chosen: a link to one of the
# account's keys switches accounts (SWITCHES); anything else answers as to a manager of the other account.
TWO_ACCOUNTS = "two_accounts"
STAFF = ("support_staff", "superuser")  # the Django admin's people, members of no account
KEYS = ("full_key", "read_key", "inactive_key", "other_key")  # bearer keys, no session
PERSONAS = ("anonymous", *MEMBERS, OUTSIDER, TWO_ACCOUNTS, *STAFF, *KEYS)


def rule(default, **by_persona) -> dict[str, object]:
    """Return the expectation of every persona: ``default`` unless named."""
    unknown = set(by_persona) - set(PERSONAS)
    assert not unknown, f"unknown personas {unknown}"
    return {persona: by_persona.get(persona, default) for persona in PERSONAS}


def everyone(expected) -> dict[str, object]:
    return rule(expected)


def settings_rule(*, managers, other_roles, outsider, two_accounts=None, staff=NO_ACCOUNT, anonymous=LOGIN):
    """A settings page: login first; bearer keys are no login. The member of two accounts gets what the
    other roles get unless told."""
    return rule(
        anonymous,
        **dict.fromkeys(MANAGERS, managers),
        **dict.fromkeys(OTHER_ROLES, other_roles),
        outsider=outsider,
        two_accounts=other_roles if two_accounts is None else two_accounts,
        **dict.fromkeys(STAFF, staff),
    )


def api_rule(*, no_key=401, full_key, read_key, inactive_key=401, other_key):
    """An API endpoint: only the bearer key counts; a session is no key."""
    return rule(no_key, full_key=full_key, read_key=read_key, inactive_key=inactive_key, other_key=other_key)


def admin_rule(*, support_staff, superuser, others=ADMIN_LOGIN):
    """A Django admin page: staff only; everybody else is sent to the admin's log-in."""
    return rule(others, support_staff=support_staff, superuser=superuser)


def logged_in(expected) -> dict[str, object]:
    """A page for any logged-in user; anonymous visitors and bearer keys are sent to log in."""
    return rule(expected, anonymous=LOGIN, **dict.fromkeys(KEYS, LOGIN))


def same_for(*methods, rule):
    return dict.fromkeys(methods, rule)


# The rules, by kind of view ---------------------------------------------------------------------------------

# Account and Users tabs: every member of an account reads them (the other account's members read theirs).
MEMBER_PAGE = {
    GET: settings_rule(managers=200, other_roles=200, outsider=200),
    POST: settings_rule(managers=405, other_roles=405, outsider=405),
}
# GET confirms, POST acts, on the member's own current account.
MEMBER_CONFIRM_THEN_POST = {
    GET: settings_rule(managers=200, other_roles=200, outsider=200),
    POST: settings_rule(managers=302, other_roles=302, outsider=302),
}
# POST only, on the current account as a whole (the outsider acts on their own account).
MANAGE_USERS_POST = {
    GET: everyone(405),
    POST: settings_rule(managers=302, other_roles=FORBIDDEN, outsider=302),
}
# POST only, on one member or invitation of the account: another account's object is 404.
MANAGE_USERS_OBJECT_POST = {
    GET: everyone(405),
    POST: settings_rule(managers=302, other_roles=FORBIDDEN, outsider=404),
}
MANAGE_USERS_OBJECT_CONFIRM_THEN_POST = {
    GET: settings_rule(managers=200, other_roles=FORBIDDEN, outsider=404),
    POST: settings_rule(managers=302, other_roles=FORBIDDEN, outsider=404),
}

# The API keys tab: owners and admins only; roles are checked before methods, so others get 403 always.
MANAGE_KEYS_PAGE = {
    GET: settings_rule(managers=200, other_roles=FORBIDDEN, outsider=200),
    POST: settings_rule(managers=405, other_roles=FORBIDDEN, outsider=405),
}
MANAGE_KEYS_CONFIRM_THEN_POST = {
    GET: settings_rule(managers=200, other_roles=FORBIDDEN, outsider=200),
    POST: settings_rule(managers=302, other_roles=FORBIDDEN, outsider=302),
}
MANAGE_KEYS_OBJECT_PAGE = {
    GET: settings_rule(managers=200, other_roles=FORBIDDEN, outsider=404, two_accounts=SWITCHES),
    # The method is refused before the key is looked up: 405 says nothing about the key.
    POST: settings_rule(managers=405, other_roles=FORBIDDEN, outsider=405),
}
MANAGE_KEYS_OBJECT_CONFIRM_THEN_POST = {
    GET: settings_rule(managers=200, other_roles=FORBIDDEN, outsider=404, two_accounts=SWITCHES),
    POST: settings_rule(managers=302, other_roles=FORBIDDEN, outsider=404),
}

# The JSON API: the method is checked first (405 for anybody), then the key, then its scope.
API_KEY = {
    GET: api_rule(full_key=200, read_key=200, other_key=200),  # each key describes itself
    POST: everyone(405),
    DELETE: api_rule(full_key=204, read_key=204, other_key=204),  # each key may revoke itself
}
API_LISTS = {
    GET: api_rule(full_key=200, read_key=200, other_key=200),  # each key lists its own account's lists
    POST: api_rule(full_key=201, read_key=403, other_key=201),
}
API_LIST = {
    GET: api_rule(full_key=200, read_key=200, other_key=404),
    POST: everyone(405),
    PATCH: api_rule(full_key=200, read_key=403, other_key=404),
    DELETE: api_rule(full_key=204, read_key=403, other_key=404),
}

# The Django admin. Support staff (the Support group) view accounts, members, users, keys and key activity
# and deactivate keys; superusers also change users, accounts, memberships and groups; nobody adds, changes
# or deletes a key or an event there. Empty POSTs to forms come back as the form with errors (200).
ADMIN_SITE_PAGE = same_for(GET, POST, rule=admin_rule(support_staff=200, superuser=200))


def admin_model(app_model: str, *, support_views: bool, editable: bool) -> dict[str, dict]:
    """The entries of one registered model's admin URLs."""
    app, model = app_model.split(".")
    view = 200 if support_views else 403
    change = 200 if editable else 403
    return {
        f"admin:{app}_{model}_changelist": same_for(
            GET, POST, rule=admin_rule(support_staff=view, superuser=200)
        ),
        f"admin:{app}_{model}_add": same_for(GET, POST, rule=admin_rule(support_staff=403, superuser=change)),
        f"admin:{app}_{model}_change": {
            GET: admin_rule(support_staff=view, superuser=200),
            POST: admin_rule(support_staff=403, superuser=change),
        },
        f"admin:{app}_{model}_delete": same_for(
            GET, POST, rule=admin_rule(support_staff=403, superuser=change)
        ),
        f"admin:{app}_{model}_history": same_for(
            GET, POST, rule=admin_rule(support_staff=view, superuser=200)
        ),
        # The old-style object URL redirects to the change page, for staff only.
        f"admin/{app}/{model}/<path:object_id>/": same_for(
            GET, POST, rule=admin_rule(support_staff=302, superuser=302)
        ),
    }


EXPECTED: dict[str, dict[str, dict[str, object]]] = {
    # Log-in, log-out, password, invitations -------------------------------------------------------------
    "home": same_for(GET, POST, rule=everyone(302)),  # to /settings/, which asks for a log-in
    "login": same_for(GET, POST, rule=rule(302, anonymous=200, **dict.fromkeys(KEYS, 200))),
    "logout": {GET: everyone(405), POST: everyone(Redirect("/login/"))},
    "password_change": same_for(GET, POST, rule=rule(200, anonymous=LOGIN, **dict.fromkeys(KEYS, LOGIN))),
    # The log-in's second step, without a password step before it: back to the first.
    "login_verify": same_for(GET, POST, rule=everyone(Redirect("/login/"))),
    # Settings > Security: each logged-in user's own two-factor log-in, members of an account or not.
    "security": {GET: logged_in(200), POST: logged_in(405)},
    # An empty POST gets the form's errors; staff (who have 2FA, for the admin) are sent back to Security.
    "two_factor_setup": same_for(
        GET, POST, rule=logged_in(200) | dict.fromkeys(STAFF, Redirect("/security/"))
    ),
    "two_factor_disable": {GET: everyone(405), POST: logged_in(302)},  # to Security
    # Without 2FA, back to Security; staff get new codes.
    "recovery_codes": {
        GET: everyone(405),
        POST: logged_in(302) | dict.fromkeys(STAFF, Page(200, "accounts/recovery_codes.html")),
    },
    "password_change_done": {
        GET: rule(200, anonymous=LOGIN, **dict.fromkeys(KEYS, LOGIN)),
        POST: rule(405, anonymous=LOGIN, **dict.fromkeys(KEYS, LOGIN)),
    },
    # A valid link for a new address: anyone may open it; a logged-in user with another email is refused.
    "accept_invitation": same_for(GET, POST, rule=rule(403, anonymous=200, **dict.fromkeys(KEYS, 200))),
    # Settings: the Account and Users tabs ------------------------------------------------------------------
    "accounts:account": MEMBER_PAGE,
    "accounts:welcome": MEMBER_PAGE,
    "accounts:users": MEMBER_PAGE,
    "accounts:switch": {
        GET: everyone(405),
        POST: settings_rule(managers=302, other_roles=302, outsider=404),  # to our account: not theirs
    },
    "accounts:two_factor_policy": {
        GET: everyone(405),
        POST: settings_rule(managers=FORBIDDEN, other_roles=FORBIDDEN, outsider=302) | {"owner": 302},
    },
    "accounts:leave": MEMBER_CONFIRM_THEN_POST,  # the owner is refused with a message, also a 302
    "accounts:invite": MANAGE_USERS_POST,
    "accounts:change_role": MANAGE_USERS_OBJECT_POST,
    "accounts:remove_member": MANAGE_USERS_OBJECT_CONFIRM_THEN_POST,
    "accounts:transfer_ownership": MANAGE_USERS_OBJECT_CONFIRM_THEN_POST,
    "accounts:resend_invitation": MANAGE_USERS_OBJECT_POST,
    "accounts:revoke_invitation": MANAGE_USERS_OBJECT_POST,
    # Settings: the API keys tab ----------------------------------------------------------------------------
    "apikeys:list": MANAGE_KEYS_PAGE,
    "apikeys:activity": MANAGE_KEYS_PAGE,
    "apikeys:activity_csv": MANAGE_KEYS_PAGE,
    # Hides the expiring-keys banner for the session: POST only, for those who see the banner.
    "apikeys:dismiss_banner": {
        GET: everyone(405),
        POST: settings_rule(managers=302, other_roles=FORBIDDEN, outsider=302),
    },
    "apikeys:create": MANAGE_KEYS_CONFIRM_THEN_POST,
    "apikeys:detail": MANAGE_KEYS_OBJECT_PAGE,
    "apikeys:reveal": MANAGE_KEYS_OBJECT_PAGE,
    "apikeys:clone": MANAGE_KEYS_OBJECT_CONFIRM_THEN_POST,
    "apikeys:roll": MANAGE_KEYS_OBJECT_CONFIRM_THEN_POST,
    "apikeys:rename": MANAGE_KEYS_OBJECT_CONFIRM_THEN_POST,
    "apikeys:deactivate": MANAGE_KEYS_OBJECT_CONFIRM_THEN_POST,
    "apikeys:reactivate": MANAGE_KEYS_OBJECT_CONFIRM_THEN_POST,
    "apikeys:delete": MANAGE_KEYS_OBJECT_CONFIRM_THEN_POST,
    # The JSON API and the public-key client API ------------------------------------------------------------
    "api:key": API_KEY,
    "api:lists": API_LISTS,
    "api:list": API_LIST,
    # GitHub's secret scanning alerts: only GitHub's signature counts, never a key or a session.
    "api:secret_scanning_github": {GET: everyone(405), POST: everyone(401)},
    "api/(?P<path>.*)$": same_for(GET, POST, rule=everyone(404)),  # JSON 404 for unknown endpoints
    "client:subscriptions": {
        GET: everyone(405),
        # The public key alone subscribes; any Authorization header is refused.
        POST: rule(202, **dict.fromkeys(KEYS, 400)),
    },
    "client/(?P<path>.*)$": same_for(GET, POST, rule=everyone(404)),
    # The Django admin --------------------------------------------------------------------------------------
    "admin:index": ADMIN_SITE_PAGE,
    "admin:app_list": ADMIN_SITE_PAGE,
    # The admin logs in through /login/ (its throttling and second step); members are told they may not.
    "admin:login": same_for(
        GET,
        POST,
        rule=rule(
            Redirect("/login/?next=/admin/"),  # the site's log-in page (and its second step), then the admin
            **dict.fromkeys((*MEMBERS, OUTSIDER, TWO_ACCOUNTS), ADMIN_REFUSED),
            **dict.fromkeys(STAFF, Redirect("/admin/")),
        ),
    ),
    "admin:logout": {
        GET: rule(Redirect("/admin/"), **dict.fromkeys(STAFF, 405)),
        POST: rule(Redirect("/admin/"), **dict.fromkeys(STAFF, Redirect("/login/"))),  # LOGOUT_REDIRECT_URL
    },
    "admin:password_change": ADMIN_SITE_PAGE,
    "admin:password_change_done": {
        GET: admin_rule(support_staff=200, superuser=200),
        POST: admin_rule(support_staff=405, superuser=405),
    },
    "admin:autocomplete": {
        GET: admin_rule(support_staff=403, superuser=403),  # without a field to complete
        POST: admin_rule(support_staff=405, superuser=405),
    },
    "admin:jsi18n": {
        GET: admin_rule(support_staff=200, superuser=200),
        POST: admin_rule(support_staff=405, superuser=405),
    },
    "admin:view_on_site": same_for(GET, POST, rule=admin_rule(support_staff=302, superuser=302)),
    "admin/(?P<url>.*)$": same_for(GET, POST, rule=admin_rule(support_staff=404, superuser=404)),
    **admin_model("auth.group", support_views=False, editable=True),
    **admin_model("accounts.user", support_views=True, editable=True),
    "admin:auth_user_password_change": same_for(GET, POST, rule=admin_rule(support_staff=403, superuser=200)),
    **admin_model("accounts.account", support_views=True, editable=True),
    **admin_model("accounts.membership", support_views=True, editable=True),
    **admin_model("apikeys.privatekey", support_views=True, editable=False),
    # Support staff and superusers deactivate a key here; an empty POST lacks the required reason.
    "admin:apikeys_privatekey_deactivate": same_for(
        GET, POST, rule=admin_rule(support_staff=200, superuser=200)
    ),
    # Whoever may view keys finds one by its whole secret here; an empty POST lacks the secret.
    "admin:apikeys_privatekey_find": same_for(GET, POST, rule=admin_rule(support_staff=200, superuser=200)),
    **admin_model("apikeys.keyevent", support_views=True, editable=False),
}


# The world every request meets ------------------------------------------------------------------------------


@pytest.fixture
def world(account, owner, admin, manager, other_account, outsider, support_group):
    """One account with a member in every role, its keys, list, invitation and events; another account."""
    w = SimpleNamespace(account=account, other_account=other_account)
    w.owner, w.admin, w.manager, w.outsider = owner, admin, manager, outsider
    w.two_accounts = MembershipFactory(account=account, role=Role.ADMIN, user__email="both@acme.test").user
    MembershipFactory(account=other_account, user=w.two_accounts, role=Role.MANAGER)
    w.two_accounts.last_account = other_account  # the account their session has chosen
    w.two_accounts.save()
    for persona, role in [
        ("analyst", Role.ANALYST),
        ("campaign_coordinator", Role.CAMPAIGN_COORDINATOR),
        ("content_creator", Role.CONTENT_CREATOR),
        ("support_role", Role.SUPPORT),
    ]:
        setattr(w, persona, MembershipFactory(account=account, role=role).user)
    w.support_staff = UserFactory(email="support@keyward.test", is_staff=True)
    w.support_staff.groups.add(support_group)
    w.superuser = UserFactory(email="root@keyward.test", is_staff=True, is_superuser=True)
    # The member the Users tab's actions act on: an admin, so that even a transfer goes through.
    w.member = MembershipFactory(account=account, role=Role.ADMIN, user__email="target@acme.test")
    owner_membership = Membership.objects.get(account=account, user=owner)
    w.invitation, w.invitation_token = Invitation.objects.issue(
        account, "invitee@new.test", Role.MANAGER, by=owner_membership
    )
    w.key, w.full_key = PrivateKey.objects.issue(account, "Full", scopes.FULL_ACCESS, owner)
    _, w.read_key = PrivateKey.objects.issue(account, "Read", scopes.READ_ONLY, owner)
    w.inactive, w.inactive_key = PrivateKey.objects.issue(account, "Old", scopes.FULL_ACCESS, owner)
    w.inactive.deactivate(by=owner, reason="Rotated")
    _, w.other_key = PrivateKey.objects.issue(other_account, "Theirs", scopes.FULL_ACCESS, outsider)
    w.list = List.objects.create(account=account, name="Newsletter")
    w.event = KeyEvent.objects.filter(key=w.key).first()
    return w


# How each URL is requested --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """How to request one URL pattern: its arguments, or a literal path for unnamed patterns, and data."""

    kwargs: Callable[[SimpleNamespace], dict] = lambda w: {}
    path: Callable[[SimpleNamespace], str] | None = None
    query: Callable[[SimpleNamespace], str] = lambda w: ""
    data: Callable[[SimpleNamespace], dict] = lambda w: {}
    json: bool = False


def _member(w):
    return {"public_id": w.member.public_id}


def _invitation(w):
    return {"public_id": w.invitation.public_id}


def _key(w):
    return {"public_id": w.key.public_id}


def _inactive(w):
    return {"public_id": w.inactive.public_id}


def _pk(obj_name):
    return lambda w: {"object_id": getattr(w, obj_name).pk}


ADMIN_OBJECTS = {  # which object of the world each model's admin URLs name
    "auth/group": lambda w: w.support_staff.groups.get().pk,
    "accounts/user": lambda w: w.member.user.pk,
    "accounts/account": lambda w: w.account.pk,
    "accounts/membership": lambda w: w.member.pk,
    "apikeys/privatekey": lambda w: w.key.pk,
    "apikeys/keyevent": lambda w: w.event.pk,
}


def _admin_targets() -> dict[str, Target]:
    targets = {}
    for app_model, pk in ADMIN_OBJECTS.items():
        name = app_model.replace("/", "_")
        for view in ("change", "delete", "history"):
            targets[f"admin:{name}_{view}"] = Target(kwargs=lambda w, pk=pk: {"object_id": pk(w)})
        targets[f"admin/{app_model}/<path:object_id>/"] = Target(
            path=lambda w, pk=pk, app_model=app_model: f"/admin/{app_model}/{pk(w)}/"
        )
    return targets


TARGETS: dict[str, Target] = {
    "accept_invitation": Target(kwargs=lambda w: {"token": w.invitation_token}),
    "accounts:switch": Target(data=lambda w: {"account": w.account.public_key}),
    "accounts:invite": Target(data=lambda w: {"email": "new-person@new.test", "role": Role.MANAGER}),
    "accounts:change_role": Target(kwargs=_member, data=lambda w: {"role": Role.MANAGER}),
    "accounts:remove_member": Target(kwargs=_member),
    "accounts:transfer_ownership": Target(kwargs=_member),
    "accounts:resend_invitation": Target(kwargs=_invitation),
    "accounts:revoke_invitation": Target(kwargs=_invitation),
    "apikeys:create": Target(
        data=lambda w: {"name": "Zapier", "access": scopes.ACCESS_READ_ONLY, "expires": "never"}
    ),
    "apikeys:detail": Target(kwargs=_key),
    "apikeys:reveal": Target(kwargs=_key),
    "apikeys:clone": Target(kwargs=_key, data=lambda w: {"name": "Full (copy)", "expires": "never"}),
    "apikeys:rename": Target(kwargs=_key, data=lambda w: {"name": "Renamed"}),
    "apikeys:roll": Target(kwargs=_key, data=lambda w: {"grace": "24h"}),
    "apikeys:deactivate": Target(kwargs=_key, data=lambda w: {"reason": "Leaked"}),
    "apikeys:reactivate": Target(kwargs=_inactive),
    "apikeys:delete": Target(kwargs=_inactive),
    "api:lists": Target(data=lambda w: {"name": "Launch"}, json=True),
    "api:list": Target(
        kwargs=lambda w: {"list_id": str(w.list.public_id)}, data=lambda w: {"name": "Renamed"}, json=True
    ),
    "api/(?P<path>.*)$": Target(path=lambda w: "/api/no-such-endpoint/"),
    "client:subscriptions": Target(
        query=lambda w: f"?company_id={w.account.public_key}",
        data=lambda w: {"email": "fan@example.test", "list_id": str(w.list.public_id)},
        json=True,
    ),
    "client/(?P<path>.*)$": Target(path=lambda w: "/client/no-such-endpoint/"),
    "admin:app_list": Target(kwargs=lambda w: {"app_label": "accounts"}),
    "admin/(?P<url>.*)$": Target(path=lambda w: "/admin/no-such-page/"),
    "admin:view_on_site": Target(
        kwargs=lambda w: {
            "content_type_id": ContentType.objects.get_for_model(PrivateKey).pk,
            "object_id": w.key.pk,
        }
    ),
    "admin:auth_user_password_change": Target(kwargs=lambda w: {"id": w.member.user.pk}),
    "admin:apikeys_privatekey_deactivate": Target(kwargs=_pk("key")),
    **_admin_targets(),
}


def url_patterns(resolver=None, route="", namespace=""):
    """Yield ``(identifier, route)`` for every URL pattern; the identifier is ``namespace:name``, or the
    full route if the pattern has no name."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        full_route = URLResolver._join_route(route, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from url_patterns(pattern, full_route, inner)
        elif pattern.name:
            yield ":".join(part for part in (namespace, pattern.name) if part), full_route
        else:
            yield full_route, full_route


def identify(path: str) -> str:
    """Return the identifier of the pattern ``path`` resolves to, as ``url_patterns`` names it."""
    match = resolve(path.partition("?")[0])
    return match.view_name if match.url_name else match.route


def url_for(name: str, w) -> str:
    target = TARGETS.get(name, Target())
    path = target.path(w) if target.path else reverse(name, kwargs=target.kwargs(w))
    return path + target.query(w)


class _RolledBack(Exception):
    pass


def send(w, name: str, persona: str, method: str, *, client: Client | None = None):
    """Request the URL as the persona in a savepoint that is rolled back; return the response, with
    ``response.rows``: every row of ours as the request left them, before the rollback."""
    target = TARGETS.get(name, Target())
    client = client or Client()  # enforce_csrf_checks=False: CSRF has its own tests below
    headers = {}
    cache.clear()  # throttling counters: this table sends far more failures than a client ever may
    mail.outbox.clear()
    try:
        with transaction.atomic():
            if persona in KEYS:
                headers["HTTP_AUTHORIZATION"] = f"Bearer {getattr(w, persona)}"
            elif persona != "anonymous":
                log_in(client, getattr(w, persona))
            body = target.data(w) if method in (POST, PATCH) else {}
            if target.json:
                body = json.dumps(body) if body else ""
                response = client.generic(
                    method, url_for(name, w), body, content_type="application/json", **headers
                )
            else:
                response = getattr(client, method.lower())(url_for(name, w), body, **headers)
            response.rows = snapshot()
            raise _RolledBack
    except _RolledBack:
        pass
    return response


# The tests ------------------------------------------------------------------------------------------------


def test_it_has_an_entry_for_every_url():
    found = [name for name, _ in url_patterns()]
    assert len(found) == len(set(found)), "two URL patterns share an identifier"
    missing = sorted(set(found) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(found))
    assert not missing, f"URLs without an entry in EXPECTED (say who may use them): {missing}"
    assert not stale, f"entries in EXPECTED for URLs that no longer exist: {stale}"
    assert not set(TARGETS) - set(EXPECTED), "TARGETS names URLs that EXPECTED lacks"


def test_it_covers_every_persona_with_get_and_post_for_every_url():
    for name, by_method in EXPECTED.items():
        assert {GET, POST} <= set(by_method), name
        for method, by_persona in by_method.items():
            assert set(by_persona) == set(PERSONAS), (name, method)


@pytest.mark.parametrize("name", sorted({name for name, _ in url_patterns()} | set(EXPECTED)))
def test_it_gives_every_persona_what_the_table_says(world, name):
    assert name in EXPECTED, f"{name} has no entry in EXPECTED: say who may use it"
    path = url_for(name, world)
    assert identify(path) == name, f"{path} does not reach {name}: fix its TARGETS entry"
    before = snapshot()
    wrong = []
    for method, by_persona in EXPECTED[name].items():
        for persona, expected in by_persona.items():
            response = send(world, name, persona, method)
            if not matches(expected, response):
                wrong.append(f"{method} {path} as {persona}: expected {expected}, got {describe(response)}")
            elif refuses(expected) and response.rows != before:
                changed = [table for table in before if response.rows[table] != before[table]]
                wrong.append(f"{method} {path} as {persona}: refused, yet changed {changed}")
            elif refuses(expected) and mail.outbox:
                wrong.append(f"{method} {path} as {persona}: refused, yet sent {len(mail.outbox)} email(s)")
    assert not wrong, "\n".join(wrong)


# CSRF -------------------------------------------------------------------------------------------------------

# Bearer keys are the credential there, never a cookie, so these views are exempt; nowhere else is.
CSRF_EXEMPT_PREFIXES = ("/api/", "/client/")


def _csrf_checked(name: str, w) -> bool:
    return not url_for(name, w).startswith(CSRF_EXEMPT_PREFIXES)


def test_it_exempts_from_csrf_only_the_api_and_the_client_api(world):
    exempt = sorted(
        name
        for name in EXPECTED
        if getattr(resolve(url_for(name, world).partition("?")[0]).func, "csrf_exempt", False)
    )
    assert exempt == sorted(name for name in EXPECTED if not _csrf_checked(name, world))


def test_it_refuses_every_post_without_a_csrf_token(world):
    """Whoever sends it, a POST without the token changes nothing and gets the "form expired" page."""
    wrong = []
    for name in EXPECTED:
        if not _csrf_checked(name, world):
            continue
        for persona in ("anonymous", "owner", "superuser"):
            response = send(world, name, persona, POST, client=Client(enforce_csrf_checks=True))
            if not matches(Page(403, "403_csrf.html"), response):
                wrong.append(f"POST {url_for(name, world)} as {persona}: got {describe(response)}")
    assert not wrong, "\n".join(wrong)


# Every action the owner may take on the settings pages, by name.
OWNER_ACTIONS = sorted(
    name
    for name, by_method in EXPECTED.items()
    if by_method[POST]["owner"] == 302 and name.startswith(("accounts:", "apikeys:"))
)


@pytest.mark.parametrize("name", OWNER_ACTIONS)
def test_it_acts_only_with_a_valid_csrf_token(world, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)
    before = snapshot()
    refused = client.post(
        url_for(name, world), {**TARGETS.get(name, Target()).data(world), "csrfmiddlewaretoken": "x" * 64}
    )
    assert refused.status_code == 403 and snapshot() == before
    client.get(reverse("accounts:account"))  # any page with a form sets the token's cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        url_for(name, world), {**TARGETS.get(name, Target()).data(world), "csrfmiddlewaretoken": token}
    )
    assert matches(302, response), describe(response)


# Sudo mode --------------------------------------------------------------------------------------------------

# The actions that ask for the password again outside the sudo window (accounts/sudo.py). A view decorated
# with sudo_required but missing here, or listed here but not decorated, fails the first test.
SUDO_PROTECTED = {
    "apikeys:create",
    "apikeys:clone",
    "apikeys:roll",
    "apikeys:reactivate",
    "accounts:change_role",  # to admin only (below)
    "accounts:transfer_ownership",
    "two_factor_disable",
    "recovery_codes",
}
SUDO_DATA = {"accounts:change_role": lambda w: {"role": Role.ADMIN}}


def _behind_sudo(view) -> bool:
    # This project's views carry sudo_required; the app's mark their sensitive actions, which our adapter
    # (accounts.adapter.KeysAdapter.confirm_identity) puts behind sudo mode.
    return getattr(view, "sudo_required", False) or getattr(view, "sensitive_action", False)


def test_it_puts_exactly_the_declared_actions_behind_sudo_mode(world):
    decorated = {
        name for name in EXPECTED if _behind_sudo(resolve(url_for(name, world).partition("?")[0]).func)
    }
    assert decorated == SUDO_PROTECTED


def _sudo_client(w) -> Client:
    """The owner, logged in longer ago than the sudo window."""
    client = Client()
    client.force_login(w.owner)
    session = client.session
    session["sudo_at"] = time.time() - settings.SUDO_MODE_SECONDS - 1
    session.save()
    return client


def _sudo_data(w, name: str) -> dict:
    return SUDO_DATA.get(name, TARGETS.get(name, Target()).data)(w)


@pytest.mark.parametrize("name", sorted(SUDO_PROTECTED))
def test_it_asks_for_the_password_before_each_protected_action(world, name):
    before = snapshot()
    response = _sudo_client(world).post(url_for(name, world), _sudo_data(world, name))
    assert matches(Page(200, "accounts/sudo.html"), response), describe(response)
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(SUDO_PROTECTED))
def test_it_goes_on_with_each_protected_action_once_the_password_checks_out(world, name):
    client = _sudo_client(world)
    client.post(url_for(name, world), _sudo_data(world, name))
    response = client.post(url_for(name, world), {"sudo-password": PASSWORD})
    assert matches(302, response) and response["Location"] != "/settings/", describe(response)
