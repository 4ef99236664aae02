from django.urls import path

from ecourt.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("staff/audit/", views.audit_search, name="audit_search"),
    path("staff/sms-outbox/", views.sms_outbox, name="sms_outbox"),
]
