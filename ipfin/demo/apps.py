from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ipfin.demo"
    label = "demo"
    verbose_name = "Demo data"
