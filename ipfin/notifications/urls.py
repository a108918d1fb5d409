"""Pages of the notifications app, included at `/notifications/` in config/urls.py."""

from django.urls import path

from ipfin.notifications import views

app_name = "notifications"
urlpatterns: list = [
    path("", views.notification_list, name="list"),
    path("<int:notification_id>/read/", views.mark_read, name="read"),
    path("read-all/", views.mark_all_read, name="read-all"),
]
