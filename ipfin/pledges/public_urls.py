"""Public pages (no login): pledge announcements at ``/public/pledges/`` (SC-13)."""

from django.urls import path

from ipfin.pledges import views

app_name = "public"
urlpatterns = [
    path("pledges/", views.public_pledges, name="pledges"),
]
