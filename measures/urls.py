from django.urls import path

from measures import views
from measures.commitments import views as commitments
from measures.next_plan.views import next_plan

urlpatterns = [
    path("", views.home, name="home"),
    path("measures/", views.measure_list, name="measure_list"),
    path("measures/export.csv", views.measure_csv, name="measure_csv"),
    path("measures/<int:pk>/", views.measure_detail, name="measure_detail"),
    path("measures/<int:pk>/deadline/", views.measure_revise_deadline, name="measure_revise_deadline"),
    path("measures/<int:pk>/status/", views.measure_consolidate, name="measure_consolidate"),
    path("measures/<int:pk>/updates/new/", views.update_create, name="update_create"),
    path("updates/<int:pk>/edit/", views.update_edit, name="update_edit"),
    path("updates/<int:pk>/withdraw/", views.update_withdraw, name="update_withdraw"),
    path("updates/<int:pk>/review/", views.update_review, name="update_review"),
    path("updates/<int:pk>/comment/", views.update_comment, name="update_comment"),
    path("review/", views.review_queue, name="review_queue"),
    path("countries/", views.country_comparison, name="country_comparison"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("evidence/<int:pk>/erase/", views.evidence_erase, name="evidence_erase"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/read/", views.notification_read_all, name="notification_read_all"),
    path("recommendations/", views.recommendation_list, name="recommendation_list"),
    path("recommendations/<int:pk>/", views.recommendation_coverage, name="recommendation_coverage"),
    path("recommendations/new/", commitments.recommendation_edit, name="recommendation_create"),
    path("recommendations/<int:pk>/edit/", commitments.recommendation_edit, name="recommendation_edit"),
    path("recommendations/<int:pk>/delete/", commitments.recommendation_delete, name="recommendation_delete"),
    path("recommendations/sources/new/", commitments.source_edit, name="recommendation_source_create"),
    path("recommendations/sources/<int:pk>/edit/", commitments.source_edit, name="recommendation_source_edit"),
    path("recommendations/import/", commitments.recommendation_import, name="recommendation_import"),
    path(
        "recommendations/import/<slug:token>/",
        commitments.recommendation_import_preview,
        name="recommendation_import_preview",
    ),
    path("measures/<int:pk>/recommendations/", commitments.measure_recommendations, name="measure_recommendations"),
    path("plans/<slug:code>/", views.public_summary, name="public_summary"),
    path("plans/<slug:code>/periods/", views.period_list, name="period_list"),
    path("plans/<slug:code>/next/", next_plan, name="next_plan"),
    path("periods/<int:pk>/", views.period_detail, name="period_detail"),
    path("periods/<int:pk>/close/", views.period_close, name="period_close"),
    path("periods/<int:pk>/reopen/", views.period_reopen, name="period_reopen"),
]
