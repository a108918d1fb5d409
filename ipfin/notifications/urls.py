"""Pages of the notifications app, included at `/notifications/` in config/urls.py."""

from django.urls import path  # noqa: F401

app_name = "notifications"
urlpatterns: list = []
