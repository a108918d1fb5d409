"""Public pages (no login): pledge announcements at ``/public/pledges/``."""

from django.urls import path  # noqa: F401

app_name = "public"
urlpatterns: list = []
