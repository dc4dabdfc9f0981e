from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from casework import family_views
from governance.two_factor import two_factor_setup
from notifications import views as notification_views
from sendflow.health import healthz
from sendflow.privacy import private_page

urlpatterns = [
    # The one-time link `adviser_create` prints: choose a password, then log in.
    path(
        "account/set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url="/admin/login/"),
        name="password-set",
    ),
    # Before the admin's own URLs: its catch-all would take this path.
    path(
        "admin/two-factor/",
        admin.site.admin_view(two_factor_setup),
        name="two-factor-setup",
    ),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("f/<str:token>/", private_page(family_views.family_page), name="family-page"),
    path("f/<str:token>/dates/", private_page(family_views.family_dates), name="family-dates"),
    path(
        "f/<str:token>/calendar.ics",
        private_page(family_views.family_calendar),
        name="family-calendar",
    ),
    path("f/<str:token>/print/", private_page(family_views.family_print), name="family-print"),
    path(
        "f/<str:token>/messages/",
        private_page(family_views.family_messages),
        name="family-messages",
    ),
    path(
        "f/<str:token>/stop/<int:contact_id>/",
        private_page(family_views.family_stop),
        name="family-stop",
    ),
    path("stop/<str:token>/", notification_views.opt_out, name="opt-out"),
    path("webhooks/twilio/status/", notification_views.twilio_status, name="twilio-status"),
    path("webhooks/twilio/inbound/", notification_views.twilio_inbound, name="twilio-inbound"),
    path("webhooks/notify/status/", notification_views.notify_status, name="notify-status"),
    path("webhooks/notify/inbound/", notification_views.notify_inbound, name="notify-inbound"),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
