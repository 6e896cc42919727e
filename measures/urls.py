from django.urls import path

from measures import views

urlpatterns = [
    path("", views.home, name="home"),
]
