"""Pages of the origination app, included at `/origination/` in config/urls.py."""

from django.urls import path

from ipfin.origination import views

app_name = "origination"
urlpatterns = [
    path("apply/<int:product_id>/", views.apply, name="apply"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="edit"),
    path("applications/<int:pk>/documents/", views.upload_document, name="upload"),
    path("applications/<int:pk>/documents/<int:document_id>/", views.download_document, name="document"),
    path("applications/<int:pk>/<slug:action>/", views.act, name="act"),
    path("queue/", views.queue, name="queue"),
    path("sla/", views.sla_overview, name="sla"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
]
