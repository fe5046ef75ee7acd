"""The site's URLs plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def server_error(request):
    raise RuntimeError("boom: pk_internal-detail")


def permission_denied(request):
    raise PermissionDenied("internal reason")


urlpatterns = [
    path("test/500/", server_error),
    path("test/403/", permission_denied),
    *site_urlpatterns,
]
