"""The project's URLs, then the bench's reference views.

The reference views come last so that resolving them walks the project's patterns as /api/key/ does;
listed first, they would skip that work and flatter the no-auth side of the ratio.
"""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("", include("config.urls")),
    path("bench/no-auth/", views.no_auth),
    path("bench/select-1/", views.select_one),
    path("bench/indexed-select/", views.indexed_select),
    path("bench/verify-only/", views.verify_only),
    path("bench/authenticate-only/", views.authenticate_only),
    path("bench/drf-api-key/", views.drf_api_key),
]
