from django.urls import path

from users import views

app_name = "users"

urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("bypassed/", views.bypass_list, name="bypass_list"),
    path("counts/", views.user_status_counts_view, name="user_status_counts"),
    path("bulk/", views.bulk_start, name="bulk"),
    path("bulk/jobs/", views.bulk_job_list, name="bulk_job_list"),
    path("bulk/jobs/<int:pk>/", views.bulk_job_detail, name="bulk_job_detail"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("<int:pk>/", views.user_detail, name="user_detail"),
    path("<int:pk>/disable/", views.user_disable, name="user_disable"),
    path("<int:pk>/enable/", views.user_enable, name="user_enable"),
    path("<int:pk>/bypass/", views.user_bypass_view, name="user_bypass"),
    path("<int:pk>/resume-mfa/", views.user_resume_mfa, name="user_resume_mfa"),
    path("<int:pk>/remove/", views.user_remove_view, name="user_remove"),
]
