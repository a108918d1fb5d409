"""Pages of the fund app, included at `/fund/` in config/urls.py."""

from django.urls import path

from ipfin.fund import closing_views, cooperation_views, filing_views, views

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
    path("claims/<int:pk>/disposal/", views.record_disposal, name="claim_disposal"),
    path("claims/<int:pk>/settle/", views.settle_claim, name="claim_settle"),
    path("recoveries/<int:pk>/receive/", views.receive_recovery_share, name="recovery_receive"),
    path("cooperations/<int:pk>/lift/", views.lift_suspension, name="lift_suspension"),
    path("loans/<int:loan_id>/claim/", views.file_claim, name="file_claim"),
    path("new/", cooperation_views.fund_new, name="fund_new"),
    path("cooperations/<int:pk>/standing/", cooperation_views.change_standing, name="cooperation_standing"),
    path("<slug:code>/institutions/", cooperation_views.institutions, name="institutions"),
    path("<slug:code>/institutions/admit/", cooperation_views.admit, name="admit_institution"),
    path("<slug:code>/transfer/", views.transfer, name="transfer"),
    path("<slug:code>/book/", views.book_entry, name="book_entry"),
    path("filings/", filing_views.filing_list, name="filings"),
    path("filings/new/", filing_views.new_filing, name="filing_new"),
    path("filings/<int:pk>/document", filing_views.filing_document, name="filing_document"),
    path("<slug:code>/filings/", filing_views.fund_filings, name="fund_filings"),
    path("<slug:code>/closing/", closing_views.closing_page, name="closing"),
    path("<slug:code>/closing-statement.xlsx", closing_views.closing_statement_download, {"fmt": "xlsx"},
         name="closing_statement_xlsx"),
    path("<slug:code>/closing-statement.pdf", closing_views.closing_statement_download, {"fmt": "pdf"},
         name="closing_statement_pdf"),
    path("<slug:code>/", views.fund_dashboard, name="dashboard"),
    path("<slug:code>/report.xlsx", views.fund_report, {"fmt": "xlsx"}, name="report_xlsx"),
    path("<slug:code>/report.pdf", views.fund_report, {"fmt": "pdf"}, name="report_pdf"),
]
