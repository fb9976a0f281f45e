from django.urls import path

from portal import views

urlpatterns = [
    path("s/<str:token>/", views.page, name="portal"),
    path("s/<str:token>/counter/", views.counter, name="portal_counter"),
    path("s/<str:token>/accept/", views.accept, name="portal_accept"),
    path("s/<str:token>/decline/", views.decline, name="portal_decline"),
]
