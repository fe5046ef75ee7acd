from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.throttling import ThrottledAdminAuthenticationForm, ThrottledLoginView
from accounts.views import accept_invitation

admin.site.login_form = ThrottledAdminAuthenticationForm  # the same log-in limits at /admin/login/

# JSON under /api/ and /client/, the templates' HTML pages elsewhere (config/errors.py).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:account"), name="home"),
    path(
        "login/",
        ThrottledLoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("invitations/<str:token>/", accept_invitation, name="accept_invitation"),
    path("settings/", include("accounts.urls")),
    path("settings/api-keys/", include("apikeys.urls")),
    path("api/", include("config.api_urls")),
    path("client/", include("lists.client_urls")),
    path("admin/", admin.site.urls),
]
