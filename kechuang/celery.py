"""The Celery application: settings from Django's (``CELERY_*``), the one task lives in ``core.jobs``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")

app = Celery("kechuang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["core"], related_name="jobs")
