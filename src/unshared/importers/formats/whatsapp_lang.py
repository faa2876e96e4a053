"""WhatsApp's own words in English, German, Spanish, French, Portuguese, Italian and Dutch:
system notices, deleted messages, missed calls and attachment lines.

WhatsApp writes these in the phone's language. Lines that have no ``Name:`` in front are system
lines whatever the language; these tables are for the cases that need the words: notices that
carry a colon or a chat-name prefix (iOS), sender-attributed events (deleted message, missed call)
and attachments.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from unshared.model import Attachment

__all__ = ["system_notice", "sender_event", "attachment_line", "kind_for_name", "edited_mark"]

# Whole-body notices: an optional "Chat name: " prefix (iOS), then a fixed sentence. The long
# encryption sentences are recognised after any prefix (older iPhones wrote no U+200E there); the
# short ones only after the U+200E mark, so "Bob: You were added to my list" stays Bob's message.
_ENCRYPTION = (
    r"Messages (?:and calls )?(?:to this (?:group|chat)(?: and calls)? )?"
    r"(?:you send to this (?:group|chat) )?are (?:now )?(?:secured with )?end-to-end encrypt"
    r"|Messages and calls are end-to-end encrypted"
    r"|Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt|Nachrichten, die du in diesem"
    r"|Los mensajes y (?:las )?llamadas están cifrados de extremo a extremo|Los mensajes que envíes"
    r"|Les messages et les appels sont chiffrés de bout en bout|Les messages envoyés dans"
    r"|As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta"
    r"|As mensagens e chamadas são protegidas"
    r"|I messaggi e le chiamate sono crittografati end-to-end"
    r"|Berichten en oproepen zijn end-to-end versleuteld"
)
_SHORT = (
    r"You were added|You joined using this group's invite link|You're now an admin"
    r"|Du wurdest hinzugefügt|Du bist jetzt Admin|Te añadieron|Te agregaron|Ahora eres admin"
    r"|Vous avez été ajouté|Vous êtes désormais admin|Você foi adicionado|Foste adicionado"
    r"|Sei stato aggiunto|Je bent toegevoegd|Je bent nu beheerder"
)
_NOTICES = re.compile(
    rf"^(?:(?:[^:\n]{{1,100}}: \u200e?)?(?:{_ENCRYPTION})|(?:[^:\n]{{1,100}}: \u200e)?(?:{_SHORT}))",
    re.IGNORECASE,
)

# "<actor> <verb>..." group events; the actor has no colon, so "Bob: I left" never matches.
# Searched (not matched) inside the text before the first colon: cheap on long bodies.
_EVENTS = re.compile(
    r" (?:"
    r"created group|created this group|added |removed |left$|changed the subject"
    r"|changed this group's icon|deleted this group's icon|changed the group description"
    r"|changed the group name|joined using this group's invite link|changed their phone number"
    r"|changed to \+|turned (?:on|off) disappearing messages|changed the settings"
    r"|hat die Gruppe .* erstellt|hat .* hinzugefügt|hat .* entfernt|hat die Gruppe verlassen"
    r"|hat den Betreff|hat das Gruppenbild|hat die Gruppenbeschreibung|ist über den Einladungslink"
    r"|hat die Telefonnummer|hat zu \+"
    r"|creó el grupo|creó este grupo|añadió a|agregó a|eliminó a|salió del grupo"
    r"|cambió el asunto|cambió el nombre|cambió la imagen|cambió el ícono|cambió la descripción"
    r"|se unió usando el enlace|cambió su número"
    r"|a créé le groupe|a ajouté|a retiré|est parti|a quitté|a modifié le sujet|a changé le sujet"
    r"|a modifié l'icône|a changé l'icône|a modifié la description|a rejoint ce groupe"
    r"|a changé son numéro"
    r"|criou o grupo|criou este grupo|adicionou|removeu|saiu$|saiu do grupo|mudou o assunto"
    r"|mudou o nome|mudou a imagem|alterou a imagem|mudou a descrição|entrou usando o link"
    r"|mudou seu número|mudou o número"
    r"|ha creato il gruppo|ha aggiunto|ha rimosso|è uscito|ha abbandonato|ha cambiato l'oggetto"
    r"|ha modificato l'oggetto|ha cambiato l'immagine|ha modificato la descrizione"
    r"|si è unito tramite il link|ha cambiato il (?:suo )?numero"
    r"|heeft groep .* aangemaakt|heeft de groep .* aangemaakt|heeft .* toegevoegd"
    r"|heeft .* verwijderd|heeft de groep verlaten|is vertrokken|heeft het onderwerp"
    r"|heeft de groepsafbeelding|heeft de groepsbeschrijving|neemt deel via de uitnodigingslink"
    r"|heeft het telefoonnummer"
    r")",
)

# Text after "Name: " that is an event, not words the person wrote.
_DELETED_SENTENCES = (
    "This message was deleted",
    "You deleted this message",
    "Diese Nachricht wurde gelöscht",
    "Du hast diese Nachricht gelöscht",
    "Se eliminó este mensaje",
    "Eliminaste este mensaje",
    "Este mensaje fue eliminado",
    "Ce message a été supprimé",
    "Vous avez supprimé ce message",
    "Essa mensagem foi apagada",
    "Esta mensagem foi apagada",
    "Mensagem apagada",
    "Você apagou esta mensagem",
    "Apagaste esta mensagem",
    "Questo messaggio è stato eliminato",
    "Hai eliminato questo messaggio",
    "Dit bericht is verwijderd",
    "Je hebt dit bericht verwijderd",
)
_DELETED = re.compile(
    r"^(?:" + "|".join(map(re.escape, _DELETED_SENTENCES)) + r")\.?$", re.IGNORECASE
)
_DELETED_LONGEST = max(map(len, _DELETED_SENTENCES)) + 2
"""No longer text can match (a final dot and ``$`` before a final line break)."""
_MISSED_FIRST = frozenset("MmVvLlAaCcGg")
"""The first letters of the missed-call sentences, in both cases (no other character matches
them under re.IGNORECASE)."""
_MISSED = re.compile(
    r"^(?:Missed (?:voice|video|group voice|group video) call"
    r"|Verpasster (?:Sprach|Video)anruf|Verpasster Gruppen(?:sprach|video)anruf"
    r"|Llamada (?:de voz|de video|de vídeo) perdida"
    r"|Appel (?:vocal|vidéo) manqué"
    r"|Chamada de (?:voz|vídeo) perdida"
    r"|Chiamata (?:vocale|video) persa"
    r"|Gemiste (?:spraak|video)oproep)",
    re.IGNORECASE,
)

_EDITED = re.compile(
    r"\s*\u200e?<(?:This message was edited|Diese Nachricht wurde bearbeitet|Se editó este mensaje\.?"
    r"|Ce message a été modifié|Esta mensagem foi editada|Mensagem editada"
    r"|Questo messaggio è stato modificato|Dit bericht is bewerkt)>$",
    re.IGNORECASE,
)
_OMITTED_ANDROID = re.compile(
    r"^<(?:Media omitted|Medien ausgeschlossen|Multimedia omitido|Archivo omitido|Médias omis"
    r"|Fichier omis|Mídia oculta|Arquivo de mídia oculto|Multimédia omitido|Media omessi"
    r"|Media weggelaten)>$",
    re.IGNORECASE,
)
_FILE_ATTACHED = re.compile(
    r"^(?P<name>.+?\.[A-Za-z0-9]{1,5}) \((?:file attached|Datei angehängt|archivo adjunto"
    r"|fichier joint|arquivo anexado|ficheiro anexado|file allegato|bestand bijgevoegd)\)$",
    re.IGNORECASE,
)
_IOS_ATTACHED = re.compile(
    r"^<(?:attached|Anhang|adjunto|pièce jointe|anexado|allegato|bijlage|bijgevoegd)\s?: "
    r"(?P<name>[^>]+)>$",
    re.IGNORECASE,
)
_IOS_KINDS = {
    "photo": "image|bild|imagen|imagem|immagine|afbeelding|foto|photo",
    "video": "video|vídeo|vidéo",
    "audio": "audio|áudio",
    "sticker": "sticker|autocollant|figurinha",
    "gif": "gif",
    "file": "document|dokument|documento",
    "contact": "contact card|kontaktkarte|tarjeta de contacto|fiche contact"
    "|cartão de contato|scheda contatto|contactkaart",
}
_OMITTED_WORDS = (
    "omitted|weggelassen|omitido|omitida|absente|absent|omis|omise|ocultado|ocultada"
    "|omesso|omessa|weggelaten"
)
_IOS_OMITTED = re.compile(
    r"^(?P<what>" + "|".join(_IOS_KINDS.values()) + r") (?:" + _OMITTED_WORDS + ")$",
    re.IGNORECASE,
)
_IOS_OMITTED_LONGEST = (
    max(len(w) for v in _IOS_KINDS.values() for w in v.split("|"))
    + 1
    + max(map(len, _OMITTED_WORDS.split("|")))
    + 1
)
"""No longer text can match (``$`` also matches before a final line break)."""

_EXT_KINDS = {
    "photo": {"jpg", "jpeg", "png", "heic", "heif", "bmp"},
    "video": {"mp4", "3gp", "mov", "m4v", "mkv", "avi"},
    "audio": {"opus", "ogg", "m4a", "aac", "mp3", "amr", "wav"},
    "contact": {"vcf"},
    "gif": {"gif"},
}
_IOS_NAME_KINDS = {
    "PHOTO": "photo",
    "VIDEO": "video",
    "AUDIO": "audio",
    "STICKER": "sticker",
    "GIF": "gif",
    "CONTACT": "contact",
}


def kind_for_name(name: str) -> str:
    """Attachment kind from a WhatsApp media file name (``IMG-...jpg``, ``00000012-PHOTO-...``)."""
    upper = name.upper()
    for marker, kind in _IOS_NAME_KINDS.items():
        if f"-{marker}-" in upper:
            return kind
    if upper.startswith("STK-") or upper.endswith(".WEBP"):
        return "sticker"
    if upper.startswith("PTT-"):
        return "audio"
    ext = PurePosixPath(name).suffix.lower().lstrip(".")
    for kind, exts in _EXT_KINDS.items():
        if ext in exts:
            return kind
    return "file"


def system_notice(body: str) -> bool:
    """True when a whole message body (after the header) is a WhatsApp system line."""
    if _NOTICES.match(body):
        return True
    head, sep, rest = body.partition(": ")
    if sep and rest.startswith("\u200e"):  # iPhone: "Chat name: \u200eAlice added Bob"
        head = rest[1:].partition(": ")[0]
    return bool(_EVENTS.search(head if len(head) <= 400 else head[:400]))


def sender_event(text: str) -> str | None:
    """``deleted`` or ``missed_call`` when the text after ``Name:`` is WhatsApp's, else None."""
    if len(text) <= _DELETED_LONGEST and _DELETED.match(text):
        return "deleted"
    if text[:1] in _MISSED_FIRST and _MISSED.match(text):
        return "missed_call"
    return None


def attachment_line(line: str) -> Attachment | None:
    """The attachment a first text line stands for, or None."""
    line = line.strip("\u200e ")
    # Each form ends in its own way: look only at those that can match (``$`` also matches
    # before a final line break).
    end = line[-2:-1] if line.endswith("\n") else line[-1:]
    if end == ">":
        if _OMITTED_ANDROID.match(line):
            return Attachment(kind="other", omitted=True)
        m = _IOS_ATTACHED.match(line)
    else:
        m = _FILE_ATTACHED.match(line) if end == ")" else None
    if m:
        name = m.group("name").strip("\u200e ")
        return Attachment(kind=kind_for_name(name), name=name, uri=name)
    m = _IOS_OMITTED.match(line) if len(line) <= _IOS_OMITTED_LONGEST else None
    if m:
        what = m.group("what").lower()
        kind = next(k for k, words in _IOS_KINDS.items() if re.fullmatch(words, what))
        return Attachment(kind=kind, omitted=True)
    return None


def edited_mark(text: str) -> str | None:
    """``text`` without WhatsApp's trailing "<This message was edited>", or None if absent."""
    if not text.endswith(">"):
        return None
    m = _EDITED.search(text)
    return text[: m.start()] if m else None
