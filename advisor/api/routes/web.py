"""The widget script, the advisor copilot page and a demo host page, served as static files."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

WEB_DIR = Path(__file__).resolve().parents[2] / "web"

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "no-cache"}


@router.get("/widget.js")
def widget_script() -> FileResponse:
    """Return the embeddable chat widget."""
    return FileResponse(WEB_DIR / "widget.js", media_type="text/javascript", headers=NO_STORE)


@router.get("/copilot")
def copilot_page() -> FileResponse:
    """Return the advisor copilot page."""
    return FileResponse(WEB_DIR / "copilot.html", media_type="text/html", headers=NO_STORE)


@router.get("/demo")
def demo_page() -> FileResponse:
    """Return a host page that embeds the widget with the token given in the URL fragment."""
    return FileResponse(WEB_DIR / "demo.html", media_type="text/html", headers=NO_STORE)
