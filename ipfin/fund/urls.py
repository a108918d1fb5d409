"""Pages of the fund app, included at `/fund/` in config/urls.py."""

from django.urls import path  # noqa: F401

app_name = "fund"
urlpatterns: list = []
