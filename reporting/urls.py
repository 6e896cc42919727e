from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("<int:pk>/download/", views.report_download, name="download"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("plans/<slug:code>/quality/", views.quality, name="quality"),
]
