from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ipfin.accounts"
    label = "accounts"
    verbose_name = _("Organisations and users")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from ipfin.accounts import selectors  # noqa: F401  (registers visibility functions)
        from ipfin.accounts.actions import record_login, record_logout

        def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
            record_login(user)

        def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
            if user is not None:
                record_logout(user)

        user_logged_in.connect(on_login, dispatch_uid="ipfin_audit_login", weak=False)
        user_logged_out.connect(on_logout, dispatch_uid="ipfin_audit_logout", weak=False)
