"""Orbit's tenants: an organization, its people (leads manage API keys, engineers do not) and its projects."""

from __future__ import annotations

import secrets
import string

from django.conf import settings
from django.db import models

SITE_ID_PREFIX = "org_"
SITE_ID_ALPHABET = string.ascii_lowercase + string.digits
SITE_ID_LENGTH = 12


def new_site_id() -> str:
    return SITE_ID_PREFIX + "".join(secrets.choice(SITE_ID_ALPHABET) for _ in range(SITE_ID_LENGTH))


class Organization(models.Model):
    name = models.CharField(max_length=100)
    # The public key: Orbit's client-side widgets find an organization by it.
    site_id = models.CharField(max_length=16, unique=True, default=new_site_id, editable=False)

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "Lead"
        ENGINEER = "engineer", "Engineer"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="orbit_seats")
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="orgs_one_seat_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()} of {self.organization})"

    @property
    def can_manage_api_keys(self) -> bool:
        return self.role == self.Role.LEAD


class Project(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
