"""The admin site: the service's name in the header, the index grouped into casework, messages
and settings, and the adviser's day (casework.dashboard) on the index page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.module_loading import import_string

# Which group each model sits in on the index page; anything not named is a setting.
GROUPS = [
    ("casework", "Casework", ["case", "deadline", "familyreporteddate", "advisertask"]),
    ("messages", "Messages", ["outboundmessage", "suppression"]),
    ("settings", "Settings", None),
]


class SendflowAdminSite(admin.AdminSite):
    index_template = "admin/sendflow_index.html"

    @property
    def site_header(self):
        return settings.SENDFLOW_ADVICE_SERVICE_NAME

    @property
    def site_title(self):
        return settings.SENDFLOW_ADVICE_SERVICE_NAME

    index_title = "The day's work"

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        if app_label is not None:
            return apps
        models = [m for app in apps for m in app["models"]]
        placed: set[int] = set()
        grouped = []
        for label, name, wanted in GROUPS:
            if wanted is None:
                chosen = [m for m in models if id(m) not in placed]
            else:
                chosen = sorted(
                    (m for m in models if m["object_name"].lower() in wanted),
                    key=lambda m: wanted.index(m["object_name"].lower()),
                )
            placed.update(id(m) for m in chosen)
            if chosen:
                grouped.append(
                    {
                        "name": name,
                        "app_label": label,
                        "app_url": chosen[0]["admin_url"] or "",
                        "has_module_perms": True,
                        "models": chosen,
                    }
                )
        return grouped

    def get_urls(self):
        return [
            path("today/", self.admin_view(self.today_view), name="today"),
            path("reports/", self.admin_view(self.reports_view), name="reports"),
            # Contact and AdviserTask moved to workflows (its migration 0021), and their admin pages
            # with them: a bookmark of the old address still arrives.
            re_path(
                r"^notifications/(?P<model>contact|advisertask)/(?P<rest>.*)$", self.moved_view
            ),
            *super().get_urls(),
        ]

    def moved_view(self, request, model, rest):
        url = f"{reverse('admin:index', current_app=self.name)}workflows/{model}/{rest}"
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(f"{url}?{query}" if query else url)

    def today_view(self, request):
        from casework.admin_today import today_view

        return today_view(request, admin_site=self)

    def reports_view(self, request):
        # reports is casework's sibling on top, neither importing the other: the site names its
        # page by string, as a URLconf names an app's URLs.
        reports_view = import_string("reports.views.reports_view")
        return reports_view(request, admin_site=self)

    def login(self, request, extra_context=None):
        # Advisers and supervisors land on Today: after a plain log-in, or one that would only
        # have led to the index.
        index = reverse("admin:index", current_app=self.name)
        wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
        if not wanted or wanted == index:
            request.GET = request.GET.copy()
            request.GET[REDIRECT_FIELD_NAME] = reverse("admin:today", current_app=self.name)
            if request.method == "POST" and REDIRECT_FIELD_NAME in request.POST:
                request.POST = request.POST.copy()
                request.POST[REDIRECT_FIELD_NAME] = request.GET[REDIRECT_FIELD_NAME]
        return super().login(request, extra_context)

    def index(self, request, extra_context=None):
        from casework.dashboard import dashboard

        context = dashboard(request.user, today=timezone.localdate(), now=timezone.now()) | (
            extra_context or {}
        )
        return super().index(request, context)


class SendflowAdminConfig(AdminConfig):
    default_site = "casework.admin_site.SendflowAdminSite"
