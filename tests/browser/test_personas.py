"""Personas as pages: a CX lead creates one with a photo, picks it for a journey, and the map shows its
card; goals and frustrations open from the keyboard."""

import struct
import zlib

import pytest
from playwright.sync_api import expect

from cxhub.org.roles import Role
from journeys.models import Persona
from journeys.services import journey_create
from tests.factories import PASSWORD, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def tiny_png(width: int = 8, height: int = 8) -> bytes:
    """A real (decodable) blue PNG, so the browser shows it and reports its size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x1e\x3a\x8a" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_a_cx_lead_creates_a_persona_with_a_photo_and_the_map_shows_its_card(page, tmp_path):
    lead = UserFactory(username="cxlead", roles=[Role.CX_LEAD])
    journey = journey_create(title="Open an account", actor=lead)
    log_in(page, "cxlead", PASSWORD)
    page.goto("/journeys/")
    page.get_by_test_id("personas-tab").click()
    page.get_by_test_id("new-persona").click()
    page.get_by_label("Name").fill("Busy parent")
    page.get_by_label("Quote").fill("I have five minutes, not fifty.")
    page.get_by_label("Goals").fill("Pay in one tap\nKnow when the courier comes")
    page.get_by_label("Frustrations").fill("Waiting on the line")
    bad = tmp_path / "face.png"
    bad.write_bytes(b"GIF89a not a png")
    page.get_by_label("Photo").set_input_files(str(bad))
    page.get_by_test_id("save-persona").click()
    expect(page.get_by_test_id("photo-error")).to_have_text("face.png is not really a .png file.")
    assert not Persona.objects.exists()
    expect(page.get_by_label("Name")).to_have_value("Busy parent")  # what was typed is kept

    good = tmp_path / "parent.png"
    good.write_bytes(tiny_png())
    page.get_by_label("Photo").set_input_files(str(good))
    page.get_by_test_id("save-persona").click()
    expect(page.locator(".page-title")).to_have_text("Busy parent")
    photo = page.locator("img.persona-face")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 8

    persona = Persona.objects.get()
    journey.persona = persona
    journey.save()
    page.goto(f"/journeys/{journey.pk}/")
    card = page.get_by_test_id("persona-card")
    expect(card).to_contain_text("I have five minutes, not fifty.")
    expect(card.get_by_text("Know when the courier comes")).to_be_hidden()
    card.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(card.get_by_text("Know when the courier comes")).to_be_visible()
