# The site's URLs. Apps are included by name so that nap_tracker never imports them:
# imports go reporting → measures → nap_tracker.
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from nap_tracker import views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("accounts/settings/", views.account_settings, name="account_settings"),
    path("accounts/two-factor/", views.second_factor_verify, name="second_factor_verify"),
    path("accounts/two-factor/enrol/", views.second_factor_enrol, name="second_factor_enrol"),
    path(
        "accounts/two-factor/recovery-codes/", views.second_factor_recovery_codes, name="second_factor_recovery_codes"
    ),
    path("accounts/two-factor/turn-off/", views.second_factor_disable, name="second_factor_disable"),
    # Django's set_language, saving a signed-in person's choice with their account.
    path("i18n/setlang/", views.set_language, name="set_language"),
    # The header's country switcher, for people who follow several countries' plans.
    path("country/", views.country_switch, name="country_switch"),
    path("admin/", admin.site.urls),
    path("reports/", include("reporting.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("measures.urls")),
]

# Never touches the database: a database outage answers 503 with a page that says to wait a moment.
handler500 = "nap_tracker.errors.server_error"
