"""Pages of the servicing app, included at `/servicing/` in config/urls.py."""

from django.urls import path  # noqa: F401

app_name = "servicing"
urlpatterns: list = []
