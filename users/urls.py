from django.urls import path

from users import views

app_name = "users"

urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("bypassed/", views.bypass_list, name="bypass_list"),
    path("counts/", views.user_status_counts_view, name="user_status_counts"),
    path("bulk/", views.bulk_start, name="bulk"),
    path("bulk/jobs/", views.bulk_job_list, name="bulk_job_list"),
    path("bulk/jobs/<int:job_id>/", views.bulk_job_detail, name="bulk_job_detail"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:import_id>/", views.import_preview, name="import_preview"),
    path("import/<int:import_id>/apply/", views.import_apply, name="import_apply"),
    path("<int:user_id>/", views.user_detail, name="user_detail"),
    path("<int:user_id>/disable/", views.user_disable, name="user_disable"),
    path("<int:user_id>/enable/", views.user_enable, name="user_enable"),
    path("<int:user_id>/bypass/", views.user_bypass_view, name="user_bypass"),
    path("<int:user_id>/resume-mfa/", views.user_resume_mfa, name="user_resume_mfa"),
    path("<int:user_id>/remove/", views.user_remove_view, name="user_remove"),
]
