"""Pages of the origination app, included at `/origination/` in config/urls.py."""

from django.urls import path  # noqa: F401

app_name = "origination"
urlpatterns: list = []
