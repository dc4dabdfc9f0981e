"""The adviser's and the family's pages: the admin (with the account pages it sends people to)
and the family's private link. sendflow.urls includes these by name."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from casework import family_views
from governance.two_factor import two_factor_setup
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
]
