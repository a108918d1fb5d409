"""Pages of the market app, included at `/market/` in config/urls.py."""

from django.urls import path

from ipfin.market import views

app_name = "market"
urlpatterns: list = [
    path("", views.offers, name="offers"),
    path("products/", views.product_list, name="products"),
    path("products/new/", views.product_form, name="product-new"),
    path("products/<int:product_id>/", views.product_detail, name="product"),
    path("products/<int:product_id>/edit/", views.product_form, name="product-edit"),
    path("products/<int:product_id>/<str:action>/", views.product_action, name="product-action"),
    path("plans/", views.credit_plans, name="plans"),
]
