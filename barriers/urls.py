from django.urls import path

from . import views

app_name = "barriers"

urlpatterns = [
    path("", views.board_view, name="board"),
    path("mine/", views.inbox_view, name="inbox"),
    path("new/", views.barrier_create_view, name="create"),
    path("bulk-assign/", views.bulk_assign_view, name="bulk_assign"),
    path("<int:barrier_id>/", views.barrier_detail_view, name="detail"),
    path("<int:barrier_id>/edit/", views.barrier_edit_view, name="edit"),
    path("<int:barrier_id>/plan/", views.barrier_plan_view, name="plan"),
    path("<int:barrier_id>/transition/", views.barrier_transition_view, name="transition"),
    path("<int:barrier_id>/comments/", views.comment_add_view, name="comment_add"),
    path("<int:barrier_id>/evidence/", views.evidence_add_view, name="evidence_add"),
    path("studies/", views.study_list_view, name="study_list"),
    path("studies/new/", views.study_edit_view, name="study_create"),
    path("studies/<int:study_id>/", views.study_detail_view, name="study_detail"),
    path("studies/<int:study_id>/edit/", views.study_edit_view, name="study_edit"),
    path("studies/<int:study_id>/attachments/", views.attachment_upload_view, name="attachment_upload"),
    path(
        "studies/<int:study_id>/attachments/<int:attachment_id>/",
        views.attachment_download_view,
        name="attachment_download",
    ),
]
