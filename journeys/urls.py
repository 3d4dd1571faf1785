from django.urls import path

from . import views

app_name = "journeys"

urlpatterns = [
    path("", views.journey_list_view, name="journey_list"),
    path("new/", views.journey_create_view, name="journey_create"),
    path("import/", views.journey_import_view, name="journey_import"),
    path("personas/", views.persona_list_view, name="persona_list"),
    path("personas/new/", views.persona_create_view, name="persona_create"),
    path("personas/<int:persona_id>/", views.persona_detail_view, name="persona_detail"),
    path("personas/<int:persona_id>/edit/", views.persona_edit_view, name="persona_edit"),
    path("personas/<int:persona_id>/archive/", views.persona_archive_view, name="persona_archive"),
    path("personas/<int:persona_id>/delete/", views.persona_delete_view, name="persona_delete"),
    path("personas/<int:persona_id>/photo/", views.persona_photo_view, name="persona_photo"),
    path("templates/", views.template_list_view, name="template_list"),
    path("templates/<int:template_id>/", views.template_detail_view, name="template_detail"),
    path("templates/<int:template_id>/use/", views.template_use_view, name="template_use"),
    path("templates/<int:template_id>/delete/", views.template_delete_view, name="template_delete"),
    path("<int:journey_id>/save-as-template/", views.template_save_view, name="template_save"),
    path("touchpoints/", views.touchpoint_list_view, name="touchpoint_list"),
    path("<int:journey_id>/", views.journey_map_view, name="journey_map"),
    path("<int:journey_id>/history/", views.journey_history_view, name="journey_history"),
    path("<int:journey_id>/export.<str:fmt>", views.journey_export_view, name="journey_export"),
    path("<int:journey_id>/export-file/<str:fmt>/", views.journey_export_file_view, name="journey_export_file"),
    path("<int:journey_id>/print/", views.journey_print_view, name="journey_print"),
    path("<int:journey_id>/compare/", views.journey_compare_view, name="journey_compare"),
    path("<int:journey_id>/duplicate/", views.journey_duplicate_view, name="journey_duplicate"),
    path("<int:journey_id>/status/", views.journey_status_view, name="journey_status"),
    path("<int:journey_id>/stages/add/", views.stage_add_view, name="stage_add"),
    path("<int:journey_id>/stages/<int:stage_id>/rename/", views.stage_rename_view, name="stage_rename"),
    path("<int:journey_id>/stages/<int:stage_id>/move/", views.stage_move_view, name="stage_move"),
    path("<int:journey_id>/stages/<int:stage_id>/delete/", views.stage_delete_view, name="stage_delete"),
    path("<int:journey_id>/stages/<int:stage_id>/steps/add/", views.step_add_view, name="step_add"),
    path("<int:journey_id>/steps/<int:step_id>/move/", views.step_move_view, name="step_move"),
    path("<int:journey_id>/steps/<int:step_id>/delete/", views.step_delete_view, name="step_delete"),
    path("<int:journey_id>/steps/<int:step_id>/<str:field>/", views.step_cell_view, name="step_cell"),
]
