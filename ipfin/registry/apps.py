import importlib.util

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ipfin.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from ipfin.registry import selectors  # noqa: F401  (registers visibility functions)

        # Dashboard cards, when the web app provides the registry of cards.
        if importlib.util.find_spec("ipfin.web.dashboard") is not None:
            from ipfin.registry.dashboard import register_cards

            register_cards()
        if importlib.util.find_spec("ipfin.web.context") is not None:
            from ipfin.accounts.choices import Role
            from ipfin.web.context import register_nav_item

            readers = [r for r in Role.values if r not in {
                Role.GUARANTOR_OFFICER, Role.INSURER_OFFICER, Role.APPRAISER, Role.EXPERT}]
            register_nav_item("registry.enterprises", _("Enterprises"), url_name="registry:enterprises",
                              roles=readers, order=20)
            register_nav_item("registry.assets", _("IP assets"), url_name="registry:assets", roles=readers, order=30)
            register_nav_item("registry.import", _("Bulk import"), url_name="registry:import",
                              roles=[Role.CLERK, Role.LEADER, Role.PLATFORM_ADMIN], order=40)
