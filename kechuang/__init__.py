"""Kechuang project package; the Celery app is loaded with it so tasks bind to the configured broker."""

from kechuang.celery import app as celery_app

__all__ = ["celery_app"]
