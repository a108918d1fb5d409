from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "ipfin.policy"
    label = "policy"
    verbose_name = _("Policy profiles")

    def ready(self) -> None:
        """Validate every policy profile at start-up: a malformed file stops the server, naming file and key."""
        from ipfin.policy.loader import load_profiles
        from ipfin.policy.schema import ProfileInvalid

        try:
            load_profiles()
        except ProfileInvalid as exc:
            raise ImproperlyConfigured(f"invalid policy profile: {exc.message}") from exc
