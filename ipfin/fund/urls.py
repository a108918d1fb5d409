"""Pages of the fund app, included at `/fund/` in config/urls.py."""

from django.urls import path

from ipfin.fund import views

app_name = "fund"
urlpatterns: list = [
    path("", views.fund_list, name="funds"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/verify/", views.verify_claim, name="claim_verify"),
    path("claims/<int:pk>/approve/", views.approve_claim, name="claim_approve"),
    path("claims/<int:pk>/pay/", views.pay_claim, name="claim_pay"),
    path("claims/<int:pk>/withdraw/", views.withdraw_claim, name="claim_withdraw"),
    path("claims/<int:pk>/recovery/", views.record_recovery, name="claim_recovery"),
    path("recoveries/<int:pk>/receive/", views.receive_recovery_share, name="recovery_receive"),
    path("cooperations/<int:pk>/lift/", views.lift_suspension, name="lift_suspension"),
    path("loans/<int:loan_id>/claim/", views.file_claim, name="file_claim"),
    path("<slug:code>/", views.fund_dashboard, name="dashboard"),
    path("<slug:code>/report.xlsx", views.fund_report, {"fmt": "xlsx"}, name="report_xlsx"),
    path("<slug:code>/report.pdf", views.fund_report, {"fmt": "pdf"}, name="report_pdf"),
]
