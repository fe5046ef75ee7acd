"""The Django admin's site: staff need a session verified with a second factor, and one log-in page.

Like django-otp's ``OTPAdminSite``, ``has_permission`` asks ``request.user.is_verified()``. Its log-in is
the site's own (``/login/``, with its throttling and second step) rather than a second form to guard.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import twofactor


class AdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and twofactor.is_verified(request)

    def login(self, request, extra_context=None):
        """Send visitors to the site's log-in; tell a logged-in user without admin access why."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("admin:index", current_app=self.name)
        if self.has_permission(request):
            return HttpResponseRedirect(next_url)
        if not request.user.is_authenticated:
            return redirect_to_login(next_url)
        context = {
            "is_staff": request.user.is_active and request.user.is_staff,
            "has_two_factor": twofactor.has_two_factor(request.user),
        }
        return render(request, "accounts/admin_refused.html", context, status=403)
