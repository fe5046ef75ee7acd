"""Lists of subscribers: the account data that private keys with ``lists:*`` scopes protect.

A list is reached from outside by its random ``public_id`` only. Subscribing goes through the public key
(``/client/subscriptions/``), which may add an email to a list and read nothing back.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone

from apikeys.validators import refuse_control_characters


class ListQuerySet(models.QuerySet):
    def for_account(self, account):
        return self.filter(account=account)


class List(models.Model):
    """A named list of subscriber emails belonging to one account."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="lists")
    name = models.CharField(max_length=100, validators=[refuse_control_characters])
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ListQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["account", "created_at"], name="list_account_created")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("api:list", args=[self.public_id])

    def subscribe(self, email: str) -> None:
        """Add ``email``, lower-cased, to the list; a repeat is a no-op, and nothing tells the caller which.

        One INSERT … ON CONFLICT DO NOTHING: safe under concurrency, reading back nothing the public key
        must not learn.
        """
        Subscription.objects.bulk_create(
            [Subscription(list=self, email=email.strip().lower())], ignore_conflicts=True
        )


class Subscription(models.Model):
    """An email subscribed to a list."""

    list = models.ForeignKey(List, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["list", "email"], name="subscription_list_email_unique"),
        ]

    def __str__(self):
        return self.email
