from django.urls import path

from records import views

urlpatterns = [
    path("analytics/", views.analytics, name="analytics"),
    path("analytics/export.csv", views.analytics_csv_view, name="analytics_csv"),
    path(
        "quotes/<int:pk>/transcript.csv",
        views.quote_transcript_csv_view,
        name="quote_transcript_csv",
    ),
    path("quotes/<int:pk>/record.json", views.quote_record_json_view, name="quote_record_json"),
    path("quotes/<int:pk>/award.pdf", views.quote_award_pdf_view, name="quote_award_pdf"),
    path("quotes/<int:pk>/playback/", views.quote_playback, name="quote_playback"),
    path(
        "negotiations/<int:pk>/transcript.csv",
        views.negotiation_transcript_csv_view,
        name="negotiation_transcript_csv",
    ),
]
