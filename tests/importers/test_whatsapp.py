"""WhatsApp: every header format, languages, zips with media, date order, bad input."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unshared.errors import LimitExceeded, ParseError, UnsharedError, WrongFormat
from unshared.importers import BytesSource, FileSource, ImportOptions, detect
from unshared.importers.formats.whatsapp import WhatsAppImporter
from unshared.model import Message, Participant

from .builders import FAKE_JPEG, whatsapp_android_zip, whatsapp_ios_zip, zip_bomb

WA = WhatsAppImporter()


def parse(text: str, name: str = "WhatsApp Chat with Jo.txt", **opts: object) -> list[Message]:
    options = ImportOptions(timezone=UTC, **opts)  # type: ignore[arg-type]
    source = BytesSource(text.encode(), name=name)
    WA.sniff(source)
    return [r for r in WA.parse(source, options) if isinstance(r, Message)]


def _render(fmt: str, when: datetime, year4: bool) -> str:
    out = fmt.replace("%name", "Jo Bloggs")
    out = out.replace("%y", f"{when.year if year4 else when.year % 100:02d}")
    for code, value in {
        "%d": f"{when.day:02d}",
        "%m": f"{when.month:02d}",
        "%H": f"{when.hour:02d}",
        "%I": f"{(when.hour % 12) or 12:02d}",
        "%M": f"{when.minute:02d}",
        "%S": f"{when.second:02d}",
        "%p": "PM" if when.hour >= 12 else "AM",
    }.items():
        out = out.replace(code, value)
    return out


def _catalogue(exports_dir: Path) -> list[str]:
    data = json.loads((exports_dir / "whatsapp/whatstk_header_format_support.json").read_text())
    return sorted({entry["format"] for entry in data})


def test_every_whatstk_header_format(exports_dir: Path) -> None:
    formats = _catalogue(exports_dir)
    assert len(formats) >= 90
    times = [datetime(2021, 3, 3, 9, 5, 7), datetime(2021, 3, 25, 14, 41, 59)]
    for fmt in formats:
        for year4 in (False, True):
            text = "".join(f"{_render(fmt, t, year4)} hello {i}\n" for i, t in enumerate(times))
            messages = parse(text)
            assert len(messages) == 2, (fmt, text)
            for msg, want in zip(messages, times, strict=True):
                if "%S" not in fmt:
                    want = want.replace(second=0)
                assert msg.sent_at == want.replace(tzinfo=UTC), (fmt, year4, text)
                assert msg.sender == "Jo Bloggs" and msg.text.startswith("hello")
                assert "ambiguous_date" not in msg.flags


@pytest.mark.parametrize(
    ("line", "when"),
    [
        ("12.3.2021 klo 14.05 - Jo: moi", datetime(2021, 3, 12, 14, 5)),  # Finnish
        ("25/03/2021, 2:05 p. m. - Jo: hola", datetime(2021, 3, 25, 14, 5)),  # Spanish
        ("25/03/2021, 12:05 a. m. - Jo: hola", datetime(2021, 3, 25, 0, 5)),
        ("3/25/21, 2:05\u202fPM - Jo: hi", datetime(2021, 3, 25, 14, 5)),  # iOS 17 narrow NBSP
        ("3/25/21, 2:05\u00a0PM – Jo: hi", datetime(2021, 3, 25, 14, 5)),  # NBSP, en dash
        ("\u200e[25.03.21, 14:05:09] Jo: hi", datetime(2021, 3, 25, 14, 5, 9)),  # iOS LRM
        ("[25/03/2021, 2:05:09 PM] Jo: hi", datetime(2021, 3, 25, 14, 5, 9)),
        ("2021-03-25, 14:05 — Jo: hi", datetime(2021, 3, 25, 14, 5)),  # em dash
        ("25.03.21, 14:05 - Jo: hi", datetime(2021, 3, 25, 14, 5)),  # dots, 2-digit year
        ("2022/12/25, 13:34. - Jo: hi", datetime(2022, 12, 25, 13, 34)),  # trailing dot
    ],
)
def test_header_variants(line: str, when: datetime) -> None:
    (msg,) = parse(line + "\n")
    assert msg.sent_at == when.replace(tzinfo=UTC)
    assert msg.sender == "Jo" and msg.time_assumed


LANGS = {
    "en": (
        "Messages and calls are end-to-end encrypted. No one outside of this chat can read them.",
        "Alice created group \u201cTrip: 2021\u201d",
        "This message was deleted",
        "Missed voice call",
        "<Media omitted>",
        "IMG-20210325-WA0001.jpg (file attached)",
    ),
    "de": (
        "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats kann sie lesen.",
        "Alice hat den Betreff von \u201ca\u201c zu \u201cb: c\u201c geändert",
        "Diese Nachricht wurde gelöscht",
        "Verpasster Sprachanruf",
        "<Medien ausgeschlossen>",
        "IMG-20210325-WA0001.jpg (Datei angehängt)",
    ),
    "es": (
        "Los mensajes y las llamadas están cifrados de extremo a extremo. Nadie fuera de este chat puede leerlos.",
        "Alice cambió el asunto de \u201ca\u201d a \u201cb: c\u201d",
        "Se eliminó este mensaje.",
        "Llamada de voz perdida",
        "<Multimedia omitido>",
        "IMG-20210325-WA0001.jpg (archivo adjunto)",
    ),
    "fr": (
        "Les messages et les appels sont chiffrés de bout en bout. Aucun tiers ne peut les lire.",
        "Alice a modifié le sujet de \u00ab a \u00bb en \u00ab b: c \u00bb",
        "Ce message a été supprimé",
        "Appel vocal manqué",
        "<Médias omis>",
        "IMG-20210325-WA0001.jpg (fichier joint)",
    ),
    "pt": (
        "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta.",
        "Alice mudou o assunto de \u201ca\u201d para \u201cb: c\u201d",
        "Essa mensagem foi apagada",
        "Chamada de voz perdida",
        "<Mídia oculta>",
        "IMG-20210325-WA0001.jpg (arquivo anexado)",
    ),
    "it": (
        "I messaggi e le chiamate sono crittografati end-to-end. Nessuno al di fuori di questa chat può leggerli.",
        "Alice ha cambiato l'oggetto da \u201ca\u201d a \u201cb: c\u201d",
        "Questo messaggio è stato eliminato",
        "Chiamata vocale persa",
        "<Media omessi>",
        "IMG-20210325-WA0001.jpg (file allegato)",
    ),
    "nl": (
        "Berichten en oproepen zijn end-to-end versleuteld. Niemand buiten deze chat kan ze lezen.",
        "Alice heeft het onderwerp gewijzigd van \u2018a\u2019 naar \u2018b: c\u2019",
        "Dit bericht is verwijderd",
        "Gemiste spraakoproep",
        "<Media weggelaten>",
        "IMG-20210325-WA0001.jpg (bestand bijgevoegd)",
    ),
}


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_system_lines_and_attachments_in_seven_languages(lang: str) -> None:
    notice, subject, deleted, missed, omitted, attached = LANGS[lang]
    text = (
        f"25/03/2021, 10:00 - {notice}\n"
        f"25/03/2021, 10:01 - {subject}\n"
        "25/03/2021, 10:02 - Alice left\n"
        f"25/03/2021, 10:03 - Bob: {deleted}\n"
        f"25/03/2021, 10:04 - Bob: {missed}\n"
        f"25/03/2021, 10:05 - Bob: {omitted}\n"
        f"25/03/2021, 10:06 - Bob: {attached}\n"
        "caption line\n"
        "25/03/2021, 10:07 - Bob: an ordinary message: with a colon\n"
    )
    m = parse(text)
    assert [x.kind for x in m] == ["system"] * 5 + ["message"] * 3
    assert m[0].sender is None and m[1].sender is None and m[1].text == subject
    assert m[3].sender == "Bob" and "deleted" in m[3].flags
    assert m[4].sender == "Bob" and "missed_call" in m[4].flags
    assert m[5].attachments[0].omitted and m[5].text == ""
    att = m[6].attachments[0]
    assert (att.kind, att.name, att.omitted) == ("photo", "IMG-20210325-WA0001.jpg", False)
    assert m[6].text == "caption line"
    assert m[7].text == "an ordinary message: with a colon"


def test_ios_german_sample_with_lrm_marks(data_dir: Path) -> None:
    source = FileSource(data_dir / "importers/whatsapp_ios_de.txt")
    assert detect(source).name == "whatsapp"
    m = [r for r in WA.parse(source, ImportOptions(timezone=UTC)) if isinstance(r, Message)]
    assert [x.kind for x in m] == [
        "system", "message", "message", "message", "message", "system", "message", "system"
    ]  # fmt: skip
    assert m[2].sender == "Max Müller" and m[2].text == "Ja\u202f– was ist?"
    assert m[3].attachments[0].name == "00000012-PHOTO-2024-01-03-21-17-11.jpg"
    assert m[3].attachments[0].kind == "photo"
    assert m[4].attachments[0].omitted and m[4].attachments[0].kind == "photo"
    assert "deleted" in m[5].flags and "missed_call" in m[7].flags
    assert m[6].text == "Zweite Zeile folgt\nhier ist sie"
    assert m[6].locator.line == 7


def test_notice_words_typed_by_a_person_stay_messages() -> None:
    m = parse(
        "25/03/2021, 10:00 - Bob: You were added to my list\n"
        "25/03/2021, 10:01 - Bob: I left\n"
        "[25/03/2021, 10:02:00] Tes: \u200eYou were added\n"
    )
    assert [x.kind for x in m] == ["message", "message", "system"]
    assert m[0].sender == "Bob" and m[0].text == "You were added to my list"


def test_edited_messages_are_flagged() -> None:
    (m,) = parse("[25.03.21, 14:05:09] Jo: new words \u200e<This message was edited>\n")
    assert m.text == "new words" and "edited" in m.flags
    (m,) = parse("25.03.21, 14:05 - Jo: neu <Diese Nachricht wurde bearbeitet>\n")
    assert m.text == "neu" and "edited" in m.flags


def test_ios_zip_links_media_by_hash(tmp_path: Path) -> None:
    source = FileSource(whatsapp_ios_zip(tmp_path / "WhatsApp Chat - Tes.zip"))
    assert detect(source).name == "whatsapp"
    records = list(WA.parse(source, ImportOptions(timezone=UTC, me=frozenset({"Me Myself"}))))
    m = [r for r in records if isinstance(r, Message)]
    assert [x.kind for x in m[:2]] == ["system", "system"]
    photo = m[3].attachments[0]
    assert photo.uri == "00000012-PHOTO-2023-07-12-22-36-05.jpg"
    assert photo.member_sha256 == hashlib.sha256(FAKE_JPEG).hexdigest()
    assert photo.size == len(FAKE_JPEG)
    assert m[3].locator.member == "_chat.txt" and m[3].locator.line == 4
    assert m[4].attachments[0].omitted and m[4].attachments[0].member_sha256 is None
    assert m[5].attachments[0].kind == "audio" and m[5].attachments[0].member_sha256
    sides = {p.name: p.side for p in records if isinstance(p, Participant)}
    assert sides == {"Jo Bloggs": "unknown", "Me Myself": "victim"}


def test_android_zip(tmp_path: Path) -> None:
    source = FileSource(whatsapp_android_zip(tmp_path / "chat.zip"))
    m = [r for r in WA.parse(source, ImportOptions(timezone=UTC)) if isinstance(r, Message)]
    assert m[0].conversation == "Jo Bloggs"
    assert m[1].attachments[0].member_sha256 == hashlib.sha256(FAKE_JPEG).hexdigest()
    assert m[1].text == "the caption"
    assert m[2].attachments[0].omitted


def test_day_month_order_is_decided_by_the_whole_file() -> None:
    early = "03/04/21, 10:00 - Jo: a\n" * 50
    m = parse(early + "13/04/21, 10:00 - Jo: b\n")
    assert m[0].sent_at == datetime(2021, 4, 3, 10, tzinfo=UTC)
    assert not any("ambiguous_date" in x.flags for x in m)
    m = parse(early + "04/13/21, 10:00 - Jo: b\n")
    assert m[0].sent_at == datetime(2021, 3, 4, 10, tzinfo=UTC)


def test_time_order_decides_and_ambiguity_is_flagged() -> None:
    # Read month-first, the dates run backwards (Jan 2, Feb 2, Jan 3): day-first is meant.
    m = parse("01/02/21, 10:00 - Jo: a\n02/02/21, 10:00 - Jo: b\n01/03/21, 10:00 - Jo: c\n")
    assert not any(x.flags for x in m)
    assert m[2].sent_at == datetime(2021, 3, 1, 10, tzinfo=UTC)
    # Nothing decides: day-first is used and messages whose date depends on it are flagged.
    m = parse("01/02/21, 10:00 - Jo: a\n01/01/21, 10:00 - Jo: same day and month\n")
    assert "ambiguous_date" in m[0].flags and "ambiguous_date" not in m[1].flags


def test_undecided_order_takes_the_shorter_span_then_the_clock() -> None:
    # US iPhone: "1/2/24" and "1/3/24" fit both orders and both keep time order. Read day-first
    # they are a month apart, month-first a day apart: 2 and 3 January is meant.
    us = (
        "[1/2/24, 9:05:13\u202fPM] Chidi: \u200eMessages and calls are end-to-end encrypted.\n"
        "[1/2/24, 9:05:13\u202fPM] Chidi: hi\n[1/3/24, 8:00:00\u202fAM] Zoe: morning\n"
    )
    m = parse(us)
    assert m[1].sent_at == datetime(2024, 1, 2, 21, 5, 13, tzinfo=UTC)
    assert m[2].sent_at == datetime(2024, 1, 3, 8, tzinfo=UTC)
    assert "ambiguous_date" in m[1].flags  # still in doubt, and said so
    # iOS writes the chat's name before its notices; the notice is a system line without it.
    assert m[0].kind == "system" and m[0].sender is None
    assert m[0].text == "Messages and calls are end-to-end encrypted."
    # One day only: the spans are equal. A plain AM/PM clock means a month-first phone...
    m = parse("[1/2/24, 9:05:13 PM] Chidi: hi\n[1/2/24, 9:06:00 PM] Zoe: hey\n")
    assert m[0].sent_at == datetime(2024, 1, 2, 21, 5, 13, tzinfo=UTC)
    # ... while a 24-hour clock, or Spanish "p. m.", keeps day-first.
    m = parse("1/2/24, 21:05 - Chidi: hi\n1/2/24, 21:06 - Zoe: hey\n")
    assert m[0].sent_at == datetime(2024, 2, 1, 21, 5, tzinfo=UTC)
    m = parse("1/2/24, 9:05 p. m. - Chidi: hi\n1/2/24, 9:06 p. m. - Zoe: hey\n")
    assert m[0].sent_at == datetime(2024, 2, 1, 21, 5, tzinfo=UTC)


def test_timezone_given_or_machine_local() -> None:
    m = parse("25/03/2021, 10:00 - Jo: hi\n")
    assert m[0].sent_at is not None and m[0].sent_at.tzinfo is UTC
    source = BytesSource(b"25/07/2021, 10:00 - Jo: hi\n", name="c.txt")
    berlin = ImportOptions(timezone=ZoneInfo("Europe/Berlin"))
    (msg,) = [r for r in WA.parse(source, berlin) if isinstance(r, Message)]
    assert msg.sent_at is not None and msg.sent_at.utcoffset() is not None
    assert msg.sent_at.astimezone(UTC).hour == 8 and msg.time_assumed
    (local,) = [r for r in WA.parse(source, ImportOptions()) if isinstance(r, Message)]
    assert local.sent_at is not None and local.sent_at.tzinfo is not None


def test_wrong_encoding_names_the_line() -> None:
    data = "25/03/2021, 10:00 - Jo: hi\n25/03/2021, 10:01 - Jo: Grüße\n".encode("latin-1")
    with pytest.raises(ParseError) as err:
        list(WA.parse(BytesSource(data, name="chat.txt"), ImportOptions(timezone=UTC)))
    assert "chat.txt" in str(err.value) and "line 2" in str(err.value)


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = FileSource(zip_bomb(tmp_path / "bomb.zip"))
    with pytest.raises(LimitExceeded) as err:
        detect(bomb)
    assert "bomb.zip" in str(err.value)


def test_non_export_and_garbage_are_not_whatsapp(tmp_path: Path) -> None:
    for data in (b"Dear diary,\ntoday 12:00 - nothing\n", b"\x00\x01PK garbage" * 50):
        with pytest.raises(WrongFormat):
            WA.sniff(BytesSource(data, name="x.txt"))


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("0123456789/.-:,[] apmAPM\u200e\u202f\u00a0–klo\nJo"), max_size=80
    )
)
def test_header_text_fuzz_raises_only_own_errors(text: str) -> None:
    source = BytesSource(text.encode(), name="chat.txt")
    try:
        WA.sniff(source)
        list(WA.parse(source, ImportOptions(timezone=UTC)))
    except UnsharedError:
        pass
