"""How to save a chat from each app (issue 15 item 13): short steps with the exact menu names."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from unshared.web.deps import render

router = APIRouter()

#: (app, steps). Menu names are quoted exactly as the apps show them (English, late 2026).
EXPORT_STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "WhatsApp",
        (
            "Open the chat with them.",
            "iPhone: tap their name at the top. Android: tap ⋮ (More options), then More.",
            "Tap “Export chat”, then “Without media” (smaller; you can skip the pictures).",
            "Save the file to this computer (for example e-mail it to yourself or use "
            "“Save to Files”), then add it here.",
        ),
    ),
    (
        "Instagram",
        (
            "Go to your profile, tap ☰, then “Accounts Center”.",
            "Tap “Your information and permissions”, then “Download your information”.",
            "Choose “Some of your information”, tick “Messages”, then “Download to device”.",
            "Choose format “JSON”, then “Create files”. Instagram tells you when the file is "
            "ready; download the zip and add it here.",
        ),
    ),
    (
        "Snapchat",
        (
            "Tap your profile, then the gear (Settings).",
            "Under “Privacy Controls”, tap “My Data”.",
            "Tick “Chat History”, then “Submit”.",
            "Snapchat e-mails a link when it is ready: download the zip and add it here.",
        ),
    ),
    (
        "Discord",
        (
            "Open “User Settings” (the gear next to your name).",
            "Go to “Data & Privacy”.",
            "Press “Request Data” (“Request all of my Data”).",
            "Discord e-mails a link when it is ready (it can take some days): download the "
            "zip and add it here.",
        ),
    ),
    (
        "Telegram",
        (
            "Use Telegram Desktop on a computer (the phone app cannot export).",
            "Open the chat, click ⋮ at the top right, then “Export chat history”.",
            "Untick photos and videos; choose format “Machine-readable JSON”, then “Export”.",
            "Add the result.json file (or the whole folder zipped) here.",
        ),
    ),
    (
        "Messenger",
        (
            "In Facebook go to “Settings & privacy”, then “Settings”, then “Accounts Center”.",
            "Tap “Your information and permissions”, then “Download your information”.",
            "Choose “Some of your information”, tick “Messages”, then “Download to device”.",
            "Choose format “JSON”, then “Create files”. Download the zip when it is ready and "
            "add it here.",
        ),
    ),
)


@router.get("/help/export", response_class=HTMLResponse)
def export_help(request: Request) -> Response:
    return render(request, "export_help.html", apps=EXPORT_STEPS)
