from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "procur.accounts"
    label = "accounts"
    verbose_name = "Organisations and users"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from procur.accounts.sessions import end_session_sockets

        user_logged_out.connect(end_session_sockets, dispatch_uid="procur-end-session-sockets")
