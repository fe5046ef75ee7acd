"""Everything under /api/, in the ``api`` namespace: the keys app's endpoints, the lists, and a JSON 404."""

from django.urls import include, path, re_path

from apikeys import api

app_name = "api"

urlpatterns = [
    path("", include("apikeys.api_urls")),
    path("lists/", include("lists.api_urls")),
    # Last: whatever else is asked under /api/ gets a JSON 404, never an HTML page.
    re_path(r"^(?P<path>.*)$", api.not_found),
]
