"""Tenancy: every user belongs to one organisation, and so does everything they work on."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    # Null only for platform superusers, who belong to no customer and see all in the admin.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    # The notification kinds (negotiations.models.NotificationKind) this user turned off.
    muted_notifications = models.JSONField(default=list, blank=True)
