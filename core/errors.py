"""Errors that services raise and every door (page, API, command) reports the same way."""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class FieldProblem:
    field: str | None
    message: str


class BusinessError(Exception):
    """A request the rules refuse; nothing was changed. Messages are Chinese, for the user."""

    def __init__(self, problems: list[FieldProblem] | str, field: str | None = None):
        if isinstance(problems, str | Promise):  # a lazy translation is one message too
            problems = [FieldProblem(field, str(problems))]
        self.problems = problems
        super().__init__("；".join(p.message for p in problems))


class NotAllowed(BusinessError):
    """The user's role or scope does not allow this (HTTP 403)."""


class Missing(BusinessError):
    """The record named in the address does not exist (HTTP 404)."""


class Conflict(BusinessError):
    """Someone else changed the record first, or the workflow moved on (HTTP 409)."""


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str
    fix_url: str = ""  # where the user can mend it (e.g. create the unknown unit the row names)


class ImportRejected(Exception):
    """An import with at least one bad row: nothing was written, every problem is listed."""

    def __init__(self, problems: list[RowProblem]):
        self.problems = sorted(problems, key=lambda p: (p.row, p.column))
        super().__init__(f"{len(problems)} problems")
