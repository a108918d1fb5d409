"""Pages of the servicing app, included at `/servicing/` in config/urls.py."""

from django.urls import path

from ipfin.servicing import views

app_name = "servicing"
urlpatterns = [
    path("loans/", views.loan_book, name="loans"),
    path("loans/<int:pk>/", views.loan_detail, name="loan"),
    path("loans/<int:pk>/repayments/", views.post_repayment, name="repay"),
    path("loans/<int:pk>/repayments/<int:repayment_id>/reverse/", views.reverse_repayment, name="reverse"),
    path("loans/<int:pk>/downgrade/", views.downgrade, name="downgrade"),
    path("warnings/", views.warning_list, name="warnings"),
    path("warnings/<int:warning_id>/acknowledge/", views.acknowledge_warning, name="acknowledge"),
    path("warnings/<int:warning_id>/close/", views.close_warning, name="close_warning"),
    path("npl/", views.npl_overview, name="npl"),
]
