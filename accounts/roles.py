"""What each membership role may do: the one place that knows.

Views and templates ask capabilities (``can_manage_api_keys``), never compare role strings.
Role names follow Klaviyo's.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    ANALYST = "analyst", "Analyst"
    CAMPAIGN_COORDINATOR = "campaign_coordinator", "Campaign coordinator"
    CONTENT_CREATOR = "content_creator", "Content creator"
    SUPPORT = "support", "Support"


MANAGERS_OF_ACCOUNT = frozenset({Role.OWNER, Role.ADMIN})


def can_manage_api_keys(role: str) -> bool:
    """Private keys open the account's data: only owners and admins see or change them."""
    return role in MANAGERS_OF_ACCOUNT


def can_manage_users(role: str) -> bool:
    return role in MANAGERS_OF_ACCOUNT


def can_view_account(role: str) -> bool:
    """Every member sees the Account and Users tabs (the Users tab read-only unless managing)."""
    return role in Role.values
