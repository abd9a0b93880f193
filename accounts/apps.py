from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "用户"

    def ready(self):
        from . import receivers  # noqa: F401 - session bookkeeping at log-in and log-out
