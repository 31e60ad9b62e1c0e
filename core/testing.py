"""Helpers for the tests of every app: what a person reads on a page."""

import re
from contextlib import contextmanager
from html.parser import HTMLParser


class _Text(HTMLParser):
    """Visible text of a page, with the attributes people read (placeholder, title, aria-label)."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        self.parts += [v for k, v in attrs if k in ("placeholder", "title", "aria-label", "alt") and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def latin_words(html: str, allowed=()) -> set[str]:
    """Words in Latin letters a person would see: the UI is Chinese, so these are usually untranslated text."""
    return set(re.findall(r"[A-Za-z]{2,}", visible_text(html))) - set(allowed)


def race(*calls, refused=(Exception,)) -> list[str]:
    """Run each call on its own thread at the same moment; "ok" or the refusal's class name, in any order.

    Each thread closes its database connection, as a request would, so the test database can be flushed.
    """
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except refused as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@contextmanager
def loaded_once(django_db_blocker, load):
    """For a module-scoped fixture: ``load()`` runs once inside a transaction that is rolled back after the
    module, so data that takes seconds to build is shared by the module's tests (each still runs in its own
    savepoint through pytest-django's ``db``) and is gone for the next module."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            value = load()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield value
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
