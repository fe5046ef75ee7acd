"""Everything under /api/: keys authenticate every endpoint here (see apikeys/auth.py)."""

from django.urls import include, path, re_path

from apikeys import api

app_name = "api"

urlpatterns = [
    path("key/", api.key_detail, name="key"),
    path("lists/", include("lists.api_urls")),
    # Last: whatever else is asked under /api/ gets a JSON 404, never an HTML page.
    re_path(r"^(?P<path>.*)$", api.not_found),
]
