"""A small synthetic case with every part a report shows, built without other areas' code.

A plain module (not conftest) so test modules can import it by a name no other area uses.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from unshared.casefile.store import Case
from unshared.importers.base import BytesSource, ImportOptions
from unshared.importers.formats.plaintext import PlainTextImporter
from unshared.model import Fingerprint, Identifier, Locator, Message, Participant, Signal

SKYPE_ID = "live:.cid.5f1e2d3c4b5a"
SKYPE_NAME = "Alex Sweet"
MTCN = "1234567890"
PROFILE = "https://www.instagram.com/alex.sweet.2024/"
WALLET = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
PHONE = "+447700900123"
THREAT = "I have your pictures. Pay 500 GBP by Western Union or I send them to all your followers"
FP_SHA = "9f2b" * 16
FP_PDQ = "f8f8" * 16
CRIME_REF = "CR/2024/0042"


def skype_records() -> Iterator[Message | Participant]:
    yield Participant("skype", "Alex Sweet", SKYPE_NAME, SKYPE_ID, side="other")
    yield Participant("skype", "Alex Sweet", "Sam Victim", "live:sam.v", side="victim")
    yield Participant(
        "instagram", "alex.sweet.2024", "alex.sweet.2024", "17841400000000001", PROFILE, "other"
    )
    texts = [
        (SKYPE_ID, SKYPE_NAME, "hey you looked great on insta " + PROFILE),
        ("live:sam.v", "Sam Victim", "thanks"),
        (SKYPE_ID, SKYPE_NAME, "last chance. send it to " + WALLET + " or call " + PHONE),
        (SKYPE_ID, SKYPE_NAME, "Deadline is midnight, after that everyone sees"),
    ]
    for n, (sid, name, text) in enumerate(texts):
        yield Message(
            platform="skype",
            conversation="Alex Sweet",
            sender=name,
            sender_id=sid,
            text=text,
            locator=Locator(member="messages.json", pointer=f"/conversations/0/MessageList/{n}"),
            sent_at=datetime(2024, 5, 2, 9, 10 * n, tzinfo=UTC),
            message_id=f"16150000{n}",
        )


def build_case(path: Path, data_dir: Path, passphrase: str | None, *, age: int = 24) -> Case:
    case = Case.create(path, passphrase)
    chat = (data_dir / "report" / "chat.txt").read_bytes()
    text_ex = case.add_exhibit(io.BytesIO(chat), name="chat.txt", source_path="/home/sam/chat.txt")
    case.record_import(
        text_ex,
        "plaintext",
        PlainTextImporter().parse(
            BytesSource(chat, "chat.txt"), ImportOptions(me=frozenset({"Sam Victim"}))
        ),
    )
    skype_bytes = json.dumps({"export": "synthetic skype", "n": 4}).encode()
    sk_ex = case.add_exhibit(
        io.BytesIO(skype_bytes), name="skype-export.tar", source_path="/home/sam/skype.tar"
    )
    case.record_import(sk_ex, "skype", skype_records())
    ids = {sm.message.text: sm.id for sm in case.messages()}
    by_text = {t.split(".")[0][:20]: i for t, i in ids.items()}
    threat_id = ids[THREAT]
    mtcn_msg = next(i for t, i in ids.items() if MTCN in t)
    wallet_msg = next(i for t, i in ids.items() if WALLET in t)
    insta_msg = next(i for t, i in ids.items() if PROFILE in t)
    deadline_msg = next(i for t, i in ids.items() if t.startswith("Deadline"))
    assert by_text
    identifiers = [
        (
            None,
            Identifier("skype_id", SKYPE_ID, SKYPE_ID, "shape", source="participant", side="other"),
        ),
        (mtcn_msg, Identifier("mtcn", MTCN, MTCN, "shape", 30, 40, side="other")),
        (wallet_msg, Identifier("btc_address", WALLET, WALLET, "valid", 17, 59, side="other")),
        (wallet_msg, Identifier("phone", PHONE, "+44 7700 900123", "valid", side="other")),
        (insta_msg, Identifier("url", PROFILE, PROFILE, "shape", side="other")),
        (None, Identifier("skype_id", "live:sam.v", "live:sam.v", "shape", side="victim")),
    ]
    signals = [
        (threat_id, Signal("threat", "share with followers", details=())),
        (
            threat_id,
            Signal(
                "payment_demand",
                "amount and Western Union",
                details=(("amount", "500 GBP"), ("method", "western_union")),
            ),
        ),
        (mtcn_msg, Signal("deadline", "'you have 2 hours'")),
        (wallet_msg, Signal("payment_demand", "crypto address", details=(("method", "crypto"),))),
        (deadline_msg, Signal("threat", "'everyone sees'")),
    ]
    case.replace_analysis(identifiers, signals, {"identifiers": 6, "signals": 5})
    case.add_fingerprints(
        [
            Fingerprint(
                "/home/sam/private/photo1.jpg",
                "image",
                FP_SHA,
                "ab" * 16,
                FP_PDQ,
                100,
                tuple([FP_PDQ] * 8),
            )
        ],
        {"files": 1},
    )
    case.update_settings(age=age)
    case.log(
        "guide_plan", {"answers": {"age": age, "paid": True, "platforms": ["skype", "instagram"]}}
    )
    case.log(
        "action",
        {"kind": "payment", "amount": "500 GBP", "method": "western_union", "ref": MTCN},
    )
    case.log(
        "action",
        {"kind": "payment", "ref": MTCN, "status": "cancelled before collection"},
    )
    case.log(
        "action",
        {"kind": "reported_police", "to": "Metropolitan Police (101)", "ref": CRIME_REF},
    )
    case.log(
        "action", {"kind": "reported_platform", "to": "skype", "detail": "reported the account"}
    )
    return case
