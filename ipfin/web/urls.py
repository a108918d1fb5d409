from django.urls import path

from ipfin.web import views

app_name = "web"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("organisations/", views.organisations, name="organisations"),
    path("audit/", views.audit_events, name="audit"),
    path("tokens/", views.api_tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("help/", views.help_page, name="help"),
    path("help/<slug:page>/", views.help_page, name="help_page"),
]
