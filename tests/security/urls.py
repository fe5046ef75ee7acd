"""The site's URLs and error handlers plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401 (the site's handlers)
from config.urls import urlpatterns as site_urlpatterns


def server_error(request):
    raise RuntimeError("boom: pk_internal-detail")


def permission_denied(request):
    raise PermissionDenied("internal reason")


def not_found(request):
    raise Http404("internal reason")


urlpatterns = [
    path("test/500/", server_error),
    path("test/403/", permission_denied),
    # Before the site's catch-all JSON 404s under api/ and client/.
    *(path(f"{prefix}test/500/", server_error) for prefix in ("api/", "client/")),
    path("api/test/403/", permission_denied),
    path("api/test/404/", not_found),
    *site_urlpatterns,
]
