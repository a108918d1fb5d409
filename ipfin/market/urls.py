"""Pages of the market app, included at `/market/` in config/urls.py."""

from django.urls import path  # noqa: F401

app_name = "market"
urlpatterns: list = []
