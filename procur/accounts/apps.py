from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "procur.accounts"
    label = "accounts"
    verbose_name = "Organisations and users"
