from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import path

app_name = "web"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("", lambda r: HttpResponse("ok"), name="dashboard"),
]
