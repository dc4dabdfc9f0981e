"""A URLconf whose one view fails, to see the 500 page as a family would."""

from django.urls import path


def boom(request):
    raise RuntimeError("a bug, as a family would meet one")


urlpatterns = [path("boom/", boom)]
