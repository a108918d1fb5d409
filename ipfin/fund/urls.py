"""Pages of the fund app, included at `/fund/` in config/urls.py."""

from django.urls import path

from ipfin.fund import views

app_name = "fund"
urlpatterns: list = [
    path("", views.fund_list, name="funds"),
]
