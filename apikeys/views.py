"""The API keys tab: list, create, reveal, detail, and the clone/deactivate/reactivate/delete verbs.

Every view is for the owners and admins of the current account. GET of a verb shows its confirmation page;
only POST (with CSRF) acts. Pages that only read check the role before the method, so that other roles get
403 whatever they send. A new secret travels from the POST to the reveal page through ``apikeys.reveal``.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from apikeys import activity as activity_export
from apikeys import conf, reveal, scopes, secrets, usage
from apikeys.adapter import get_adapter
from apikeys.context_processors import BANNER_DISMISSED
from apikeys.decorators import keys_manager_required, sensitive_action
from apikeys.forms import (
    ActivityFilterForm,
    CloneForm,
    DeactivateForm,
    KeyFilterForm,
    KeyForm,
    RenameForm,
    RollForm,
)
from apikeys.http import client_ip
from apikeys.models import KeyEvent, KeyStateError, PrivateKey

RECENT_USE = timedelta(days=7)  # a key used this recently gets a warning before deactivation
RECENT_EVENTS = 20  # the tab's recent activity; deleted keys live on in the activity page
ACTIVITY_PAGE_SIZE = 50

manage_keys = keys_manager_required
confirm_then_post = require_http_methods(["GET", "POST"])


def _get_key(request, public_id) -> PrivateKey:
    """Return the current account's key; a key of another account is 404, so its existence does not leak."""
    keys = PrivateKey.objects.for_account(request.account).select_related(
        "created_by", "cloned_from", "rolled_to"
    )
    return get_object_or_404(keys, public_id=public_id)


def _follows_links(view):
    """On GET, when the view answers 404 or 403, let a link to a key of another of the user's accounts (an
    email's, a bookmark) switch to that account, if the adapter says the user may manage its keys there,
    and open again; otherwise the view's answer stands.

    Put it above ``manage_keys``: the user's role in the account the session happens to have chosen may be
    what refused. A page of the current account's key costs nothing more.
    """

    @wraps(view)
    def wrapper(request, public_id, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, public_id, *args, **kwargs)
        try:
            response = view(request, public_id, *args, **kwargs)
        except (Http404, PermissionDenied):
            if _switched_to_key_account(request, public_id):
                return redirect(request.get_full_path())
            raise
        if response.status_code in (403, 404) and _switched_to_key_account(request, public_id):
            return redirect(request.get_full_path())
        return response

    return wrapper


def _switched_to_key_account(request, public_id) -> bool:
    if not request.user.is_authenticated:
        return False
    adapter = get_adapter()
    elsewhere = PrivateKey.objects.exclude(account=adapter.current_account(request))
    key = elsewhere.filter(public_id=public_id).select_related("account").first()
    return key is not None and adapter.account_for_object(request, key.account)


def _gone_is_404(view):
    """Answer 404 when a concurrent request (a double-clicked Delete) removed the key after its look-up."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PrivateKey.DoesNotExist:
            raise Http404("No such key.") from None

    return wrapper


def _api_url(request) -> str:
    """Return the absolute URL of the key's own endpoint (``api:key``, as the host names it), or ""."""
    try:
        return request.build_absolute_uri(reverse("api:key"))
    except NoReverseMatch:
        return ""


def _posted(request):
    """Return the POST data to bind a form to (even when empty), or None on GET."""
    return request.POST if request.method == "POST" else None


def _page(request, template: str, context: dict):
    base = conf.get("APIKEYS_BASE_TEMPLATE")
    return render(request, f"apikeys/{template}", {"tab": "api-keys", "apikeys_base": base, **context})


@manage_keys
@require_safe
def key_list(request):
    """The tab: the public key, working then inactive or expired keys (one query for all), the activity."""
    search = KeyFilterForm(request.GET)
    keys = search.filter(
        PrivateKey.objects.for_account(request.account).select_related("created_by", "cloned_from")
    )
    week = usage.per_day([key for key in keys if key.is_active], usage.LIST_DAYS)  # one query for all
    for key in keys:
        key.requests_by_day = week.get(key.pk)
    return _page(
        request,
        "list.html",
        {
            "active_keys": [key for key in keys if key.is_usable],
            "inactive_keys": [key for key in keys if not key.is_usable],
            "events": KeyEvent.objects.for_account(request.account)[:RECENT_EVENTS],
            "public_key": get_adapter().public_key(request.account),
            "search": search,
            "secret_shape": secrets.SHAPE.pattern,
            "usage_days": usage.LIST_DAYS,
        },
    )


@never_cache  # Back after the reveal shows an empty form, not the browser's copy of the filled one
@confirm_then_post
@manage_keys
@sensitive_action
@sensitive_variables("secret")
def create(request):
    form = KeyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        key, secret = PrivateKey.objects.issue(
            request.account,
            form.cleaned_data["name"],
            form.cleaned_data["scopes"],
            by=request.user,
            ip=client_ip(request),
            expires_at=form.cleaned_data["expires_at"],
            allowed_ips=form.cleaned_data["allowed_ips"],
        )
        return reveal.redirect_to_reveal(request, key, secret)
    return _page(request, "create.html", {"form": form})


@never_cache
@_follows_links
@manage_keys
@require_GET
@sensitive_variables("secret")
def reveal_secret(request, public_id):
    """Show a new key's secret once; every later visit says it is gone and offers a clone."""
    key = _get_key(request, public_id)
    secret = reveal.take(request, key)
    api_url = _api_url(request)
    context = {"key": key, "secret": secret, "api_url": api_url}
    context["curl_example"] = f'curl -H "Authorization: Bearer $KEYWARD_API_KEY" {api_url}'
    response = _page(request, "reveal.html", context)
    reveal.forget(response, key)
    return response


@_follows_links
@manage_keys
@require_safe
def detail(request, public_id):
    key = _get_key(request, public_id)
    requests_by_day = usage.per_day([key], usage.DETAIL_DAYS)[key.pk]
    rows = [(resource, level, scopes.LEVEL_DESCRIPTIONS[level]) for resource, level in key.scope_levels]
    context = {
        "key": key,
        "events": key.events.all(),
        "requests_by_day": requests_by_day,
        # What the key may do comes first; (resource, access in words) rows.
        "granted": [(resource, said) for resource, level, said in rows if level != scopes.NONE_LEVEL],
        "not_granted": [(resource, said) for resource, level, said in rows if level == scopes.NONE_LEVEL],
    }
    return _page(request, "detail.html", context)


@confirm_then_post
@_follows_links
@manage_keys
@sensitive_action
@_gone_is_404
@sensitive_variables("secret")
def clone(request, public_id):
    key = _get_key(request, public_id)
    form = CloneForm(_posted(request), original=key)
    if request.method == "POST" and form.is_valid():
        new_key, secret = key.clone(
            by=request.user,
            ip=client_ip(request),
            name=form.cleaned_data["name"],
            expires_at=form.cleaned_data["expires_at"],
        )
        return reveal.redirect_to_reveal(request, new_key, secret)
    return _page(request, "clone.html", {"key": key, "form": form})


@confirm_then_post
@_follows_links
@manage_keys
@_gone_is_404
def rename(request, public_id):
    """Change a key's name, and nothing else."""
    key = _get_key(request, public_id)
    form = RenameForm(_posted(request), initial={"name": key.name})
    if request.method == "POST" and form.is_valid():
        previous = key.label
        if key.rename(form.cleaned_data["name"], by=request.user, ip=client_ip(request)):
            messages.success(request, f"Renamed {previous} to “{key.name}”.")
        return redirect(key)
    return _page(request, "rename.html", {"key": key, "form": form})


@confirm_then_post
@_follows_links
@manage_keys
@sensitive_action
@_gone_is_404
@sensitive_variables("secret")
def roll(request, public_id):
    """Replace the key with a clone and stop it after the chosen grace period; reveal the new secret."""
    key = _get_key(request, public_id)
    form = RollForm(_posted(request), original=key)
    if request.method == "POST" and form.is_valid():
        try:
            new_key, secret = key.roll(
                by=request.user,
                grace=form.cleaned_data["grace"],
                ip=client_ip(request),
                expires_at=form.cleaned_data["expires_at"],
            )
        except KeyStateError as error:
            messages.error(request, f"{key.label} was not rolled: {error}")
            return redirect(key)
        return reveal.redirect_to_reveal(request, new_key, secret)
    return _page(request, "roll.html", {"key": key, "form": form})


@confirm_then_post
@_follows_links
@manage_keys
@_gone_is_404
def deactivate(request, public_id):
    key = _get_key(request, public_id)
    form = DeactivateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if key.deactivate(by=request.user, reason=form.cleaned_data["reason"], ip=client_ip(request)):
            messages.success(request, f"Deactivated {key.label}: it stops working on its next request.")
        else:
            messages.info(request, f"{key.label} was already inactive.")
        return redirect("apikeys:list")
    recently_used = key.last_used_at is not None and key.last_used_at > timezone.now() - RECENT_USE
    return _page(request, "deactivate.html", {"key": key, "form": form, "recently_used": recently_used})


@confirm_then_post
@_follows_links
@manage_keys
@sensitive_action
@_gone_is_404
def reactivate(request, public_id):
    key = _get_key(request, public_id)
    if request.method == "POST":
        try:
            key.reactivate(by=request.user, ip=client_ip(request))
            messages.success(request, f"Reactivated {key.label}: it works again from its next request.")
        except KeyStateError as error:
            if key.is_active:
                messages.info(request, f"{key.label} is already active.")
            else:
                messages.error(request, f"{key.label} was not reactivated: {error}")
        return redirect("apikeys:list")
    return _page(request, "reactivate.html", {"key": key})


@confirm_then_post
@_follows_links
@manage_keys
@_gone_is_404
def delete(request, public_id):
    key = _get_key(request, public_id)
    if request.method == "POST":
        try:
            key.remove(by=request.user, ip=client_ip(request))
        except KeyStateError as error:
            messages.error(request, f"{key.label} was not deleted: {error}")
            return redirect(key)
        messages.success(request, f"Deleted {key.label}. Its activity stays in the account's history.")
        return redirect("apikeys:list")
    return _page(request, "delete.html", {"key": key})


@manage_keys
@require_safe
def activity(request):
    """Everything that happened to the account's keys, deleted ones included, filtered and paginated."""
    events = KeyEvent.objects.for_account(request.account)
    filters = ActivityFilterForm(request.GET, events=events)
    page = Paginator(filters.filter(events), ACTIVITY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "events": page.object_list, "query": query.urlencode()}
    return _page(request, "activity.html", context)


@manage_keys
@require_safe
def activity_csv(request):
    """The activity page's events (same filters, every page) as a CSV file, streamed."""
    events = KeyEvent.objects.for_account(request.account)
    filters = ActivityFilterForm(request.GET, events=events)
    response = StreamingHttpResponse(
        activity_export.csv_rows(filters.filter(events)), content_type="text/csv"
    )
    response["Content-Disposition"] = 'attachment; filename="api-key-activity.csv"'
    return response


@require_POST
@manage_keys
def dismiss_banner(request):
    """Hide the expiring-keys banner of the current account until the session ends."""
    dismissed = request.session.get(BANNER_DISMISSED, [])
    if str(request.account.pk) not in dismissed:
        request.session[BANNER_DISMISSED] = [*dismissed, str(request.account.pk)]
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(next_url)
    return redirect("apikeys:list")
