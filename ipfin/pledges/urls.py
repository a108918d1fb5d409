"""Pages of the pledges app, included at `/pledges/` in config/urls.py."""

from django.urls import path

from ipfin.pledges import views

app_name = "pledges"
urlpatterns = [
    path("", views.registration_list, name="list"),
    path("queue/", views.office_queue_page, name="queue"),
    path("file/", views.file_page, name="file"),
    path("<int:pk>/", views.registration_detail, name="detail"),
    path("<int:pk>/pdf/", views.registration_pdf, name="pdf"),
    path("<int:pk>/<str:move>/", views.registration_move, name="move"),
]
