from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from procur import health
from procur.accounts import login
from procur.ops import metrics

urlpatterns = [
    # Pages link the icon; this answers browsers that ask the conventional path (the admin's).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("ops/", include("procur.ops.urls")),
    path("login/", login.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("suppliers/", include("vendors.urls")),
    # The supplier portal: /s/<token>/, no login (the link's token is the key).
    path("", include("portal.urls")),
    path("", include("records.urls")),
    path("", include("negotiations.urls")),
]
