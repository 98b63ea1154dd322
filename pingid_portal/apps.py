from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "pingid_portal"
    label = "portal"
    verbose_name = "pingid-portal"
