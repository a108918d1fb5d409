"""Registry pages, included by the lead at ``/registry/`` in config/urls.py."""

from django.urls import path

from ipfin.registry import views

app_name = "registry"
urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprises"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:pk>/statements/add/", views.statement_add, name="statement_add"),
    path("enterprises/<int:pk>/qualifications/add/", views.qualification_add, name="qualification_add"),
    path("assets/", views.asset_list, name="assets"),
    path("assets/<int:pk>/", views.asset_detail, name="asset"),
    path("assets/<int:pk>/events/", views.record_event, name="record_event"),
    path("import/", views.import_page, name="import"),
    path("templates/<str:target>.<str:fmt>", views.template_download, name="template"),
]
