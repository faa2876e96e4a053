"""The cheap checks in front of WhatsApp's event and attachment patterns never skip a match.

``sender_event`` and ``attachment_line`` look at a line's length, first or last character before
running the patterns; these tests hold them to the patterns alone on the sentences themselves, in
other cases, with dots, marks and line breaks around them, and on arbitrary text.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from unshared.importers.formats import whatsapp_lang as wl
from unshared.model import Attachment


def _event_by_patterns(text: str) -> str | None:
    if wl._DELETED.match(text):
        return "deleted"
    if wl._MISSED.match(text):
        return "missed_call"
    return None


def _attachment_by_patterns(line: str) -> Attachment | None:
    line = line.strip("\u200e ")
    if wl._OMITTED_ANDROID.match(line):
        return Attachment(kind="other", omitted=True)
    m = wl._FILE_ATTACHED.match(line) or wl._IOS_ATTACHED.match(line)
    if m:
        name = m.group("name").strip("\u200e ")
        return Attachment(kind=wl.kind_for_name(name), name=name, uri=name)
    m = wl._IOS_OMITTED.match(line)
    if m:
        what = m.group("what").lower()
        kind = next(
            k for k, words in wl._IOS_KINDS.items() if __import__("re").fullmatch(words, what)
        )
        return Attachment(kind=kind, omitted=True)
    return None


_SEEDS = [
    *wl._DELETED_SENTENCES,
    "Missed voice call",
    "Verpasster Gruppenvideoanruf",
    "Llamada de vídeo perdida",
    "Appel vidéo manqué",
    "<Media omitted>",
    "<Medien ausgeschlossen>",
    "IMG-20240312-WA0001.jpg (file attached)",
    "<attached: 00000012-PHOTO-2024-03-12-21-04-05.jpg>",
    "image omitted",
    "tarjeta de contacto omitida",
    "cartão de contato ocultado",
]
_CASES = st.sampled_from(_SEEDS).flatmap(
    lambda seed: st.tuples(
        st.sampled_from([seed, seed.upper(), seed.lower(), seed.title()]),
        st.sampled_from(["", ".", "\n", ".\n", "\u200e", " x", "!"]),
        st.sampled_from(["", "\u200e", " ", "x"]),
    ).map(lambda t: t[2] + t[0] + t[1])
)


@settings(max_examples=600, deadline=None)
@given(st.one_of(_CASES, st.text(max_size=80)))
def test_prefilters_agree_with_the_patterns(text: str) -> None:
    assert wl.sender_event(text) == _event_by_patterns(text)
    assert wl.attachment_line(text) == _attachment_by_patterns(text)


def test_every_seed_is_recognised() -> None:
    for seed in _SEEDS:
        assert wl.sender_event(seed) or wl.attachment_line(seed), seed
