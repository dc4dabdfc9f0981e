"""The outbox's public addresses: the opt-out page and the providers' webhooks. sendflow.urls
includes these by name."""

from django.urls import path

from notifications import views

urlpatterns = [
    path("stop/<str:token>/", views.opt_out, name="opt-out"),
    path("webhooks/twilio/status/", views.twilio_status, name="twilio-status"),
    path("webhooks/twilio/inbound/", views.twilio_inbound, name="twilio-inbound"),
    path("webhooks/notify/status/", views.notify_status, name="notify-status"),
    path("webhooks/notify/inbound/", views.notify_inbound, name="notify-inbound"),
]
