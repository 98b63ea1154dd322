from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Organizations and administrators"

    def ready(self) -> None:
        from accounts import signals  # noqa: F401
