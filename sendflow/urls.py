"""The root URLconf: each app's addresses, included by name (sendflow imports no app)."""

from django.urls import include, path
from django.views.generic import RedirectView

from sendflow.health import healthz

urlpatterns = [
    # The admin, its account pages and the family's pages (casework.urls).
    path("", include("casework.urls")),
    path("healthz", healthz, name="healthz"),
    # The opt-out page and the providers' webhooks (notifications.urls).
    path("", include("notifications.urls")),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
