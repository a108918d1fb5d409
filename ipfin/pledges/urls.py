"""Pages of the pledges app, included at `/pledges/` in config/urls.py."""

from django.urls import path  # noqa: F401

app_name = "pledges"
urlpatterns: list = []
