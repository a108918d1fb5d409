from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ipfin.core"
    label = "core"
    verbose_name = "Core"
