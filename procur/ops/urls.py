from django.urls import path

from procur.ops import views

urlpatterns = [
    path("", views.ops_page, name="ops"),
    path("negotiations/<int:pk>/requeue", views.ops_requeue, name="ops_requeue"),
]
