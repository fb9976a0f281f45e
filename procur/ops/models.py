"""No tables: a model only to carry the permission that opens the operations page."""

from django.db import models


class Operations(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_operations", "Can view the operations page")]

    def __str__(self) -> str:
        return "Operations"
