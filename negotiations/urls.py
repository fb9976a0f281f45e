from django.urls import path

from negotiations import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
