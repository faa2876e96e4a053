"""The app's guide form (issue 15 item 10, issue 16): nothing pre-answered, everything skippable."""

from __future__ import annotations

import html
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from unshared.guide.answers import QUESTIONS

# The app_client fixture: a client that has opened a session, and its app.
AppClient = tuple[TestClient, FastAPI]


def test_the_form_pre_answers_nothing_and_asks_nothing_as_required(app_client: AppClient) -> None:
    """Danger, self-harm and the rest start unanswered; age can be skipped; "Not sure" exists."""
    client, _app = app_client
    page = html.unescape(client.get("/safe").text)
    assert not re.search(r'type="radio"[^>]*\bchecked\b', page)
    age = re.search(r"<input[^>]*id=\"age\"[^>]*>", page)
    assert age is not None and "required" not in age.group(0)
    assert page.count('value="not_sure"') >= 4
    assert "happening right now" not in page.lower()
    for question in QUESTIONS:
        assert question.text in page, question.field


def test_an_empty_form_gives_the_safe_plan(app_client: AppClient) -> None:
    """Skipping every question: the under-18 path, and "if anyone is in danger" first."""
    client, app = app_client
    response = client.post("/safe", data={"csrf": app.state.csrf_token}, follow_redirects=True)
    assert response.status_code == 200
    page = response.text
    assert "Your plan" in page
    assert "If anyone is in danger, call 999" in page
    assert "Tell an adult you trust" in page
    assert "StopNCII" not in page


def test_the_help_panel_before_the_age_suits_every_age(app_client: AppClient) -> None:
    """The help numbers on every page come before any age is known: no under-35 or under-19
    line alone, and a text option."""
    client, _app = app_client
    page = client.get("/safe").text
    panel = page.split('<aside class="help"')[1].split("</aside>")[0]
    assert "Samaritans" in panel and "85258" in panel
    assert "PAPYRUS" not in panel and "Childline" not in panel
