from django.urls import path

from vendors import views

urlpatterns = [
    path("", views.supplier_list, name="supplier_list"),
]
