"""File downloads every app offers (Excel exports and templates, Word reports), named for Chinese browsers."""

from django.http import HttpResponse

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def download(content: bytes, filename: str) -> HttpResponse:
    """An attachment whose type follows the file's extension; the name is sent UTF-8 encoded."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[filename.rsplit(".", 1)[-1]])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response
