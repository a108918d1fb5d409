from django.urls import path

from ipfin.valuation import views

app_name = "valuation"

urlpatterns = [
    path("assets/<int:asset_id>/", views.asset_valuation, name="asset"),
    path("queue/", views.work_queue, name="queue"),
    path("requests/<int:request_id>/<str:action>/", views.request_action, name="request-action"),
]
