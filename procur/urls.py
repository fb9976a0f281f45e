from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from procur import health
from procur.accounts import login
from procur.ops import metrics

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("ops/", include("procur.ops.urls")),
    path("login/", login.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("suppliers/", include("vendors.urls")),
    path("", include("records.urls")),
    path("", include("negotiations.urls")),
]
