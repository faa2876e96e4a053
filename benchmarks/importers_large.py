"""The SMS Backup & Restore XML and mbox importers on large files, beside the standard library's
own parse of the same file (issue 18). Run by hand, not part of the tests:

    PYTHONPATH=src python benchmarks/importers_large.py --mb 1024 --dir /tmp

For each size (``--mb``, and a tenth of it to show memory does not grow with the file) it writes
an Android "SMS Backup & Restore" XML (sms and mms with parts, as the app writes them) and an
mbox of plain and multipart e-mails, then in fresh processes, in the same run:

* unshared's importer reads every message (``importer.parse``);
* the reference: ``xml.etree.ElementTree.iterparse`` with ``clear()`` (the standard streaming
  parse) over the XML, and ``mailbox.mbox`` iterating every message and decoding its body;

and prints messages/s, the ratio (unshared / reference) and each process's peak RSS. The files
are deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = r"""
import json, resource, sys, time
kind, fmt, path = sys.argv[1], sys.argv[2], sys.argv[3]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
n = 0
if kind == "unshared":
    from datetime import UTC
    from pathlib import Path
    from unshared.importers import FileSource, ImportOptions, get
    from unshared.model import Message
    for r in get(fmt).parse(FileSource(Path(path)), ImportOptions(timezone=UTC)):
        n += isinstance(r, Message) and r.kind == "message"  # not an e-mail's Received chain
elif fmt == "sms_backup":
    import xml.etree.ElementTree as ET
    for _, el in ET.iterparse(path, events=("end",)):
        if el.tag in ("sms", "mms"):
            n += 1
            el.clear()
else:
    import mailbox
    for msg in mailbox.mbox(path, create=False):
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                part.get_payload(decode=True)
        n += 1
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"messages": n, "seconds": dt, "peak_mb": peak / 1024, "base_mb": base / 1024}))
"""


def make_sms(path: Path, megabytes: int) -> int:
    target, count = megabytes << 20, 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        fh.write('<smses count="0" backup_date="1796375642000" type="full">\n')
        while fh.tell() < target:
            count += 1
            date = 1_700_000_000_000 + count * 61_000
            if count % 20 == 0:
                fh.write(
                    f'  <mms date="{date}" msg_box="1" address="+447700900123" m_id="m{count}" '
                    f'text_only="0" ct_t="application/vnd.wap.multipart.related" '
                    f'contact_name="Alex"><parts><part seq="-1" ct="application/smil" '
                    f'text="&lt;smil&gt;&lt;/smil&gt;" /><part seq="0" ct="text/plain" '
                    f'text="message {count}: we know where you live" /></parts><addrs>'
                    f'<addr address="+447700900123" type="137" charset="106" /></addrs></mms>\n'
                )
            else:
                kind = 1 + count % 2
                fh.write(
                    f'  <sms protocol="0" address="+447700900123" date="{date}" type="{kind}" '
                    f'subject="null" body="message {count}: pay £300 by Western Union &amp; '
                    f'you have 2 hours" toa="null" sc_toa="null" service_center="null" read="1" '
                    f'status="-1" locked="0" date_sent="0" readable_date="x" contact_name="Alex" />\n'
                )
        fh.write("</smses>\n")
    return count


def make_mbox(path: Path, megabytes: int) -> int:
    target, count = megabytes << 20, 0
    body = "I recorded you through your camera. Pay USD 2000 in bitcoin within 48 hours.\n" * 12
    with path.open("w", encoding="utf-8") as fh:
        while fh.tell() < target:
            count += 1
            fh.write(f"From sender{count}@example.com Mon Jan  1 00:00:00 2024\n")
            fh.write(
                f"From: Someone <sender{count}@example.com>\nTo: you@example.org\n"
                f"Subject: your account {count}\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n"
                f"Message-ID: <{count}@example.com>\n"
                "Received: from mx.example.com by mx.example.org; Mon, 1 Jan 2024 00:00:00 +0000\n"
            )
            if count % 4 == 0:
                fh.write(
                    'MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="b"\n\n'
                    f"--b\nContent-Type: text/plain; charset=utf-8\n\n{body}\n--b\n"
                    f"Content-Type: text/html; charset=utf-8\n\n<p>{body}</p>\n--b--\n\n"
                )
            else:
                fh.write(f"Content-Type: text/plain; charset=utf-8\n\n{body}\n")
    return count


def run(kind: str, fmt: str, path: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, fmt, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=1024)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    parser.add_argument("--only", choices=("sms_backup", "email"), help="one format only")
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}; date: {time.strftime('%Y-%m-%d %H:%M')}; "
        f"load: {os.getloadavg()[0]:.2f}"
    )
    for fmt, make, name in (("sms_backup", make_sms, "sms.xml"), ("email", make_mbox, "mail.mbox")):
        if args.only and fmt != args.only:
            continue
        for size in (max(args.mb // 10, 1), args.mb):
            path = Path(args.dir) / f"unshared-large-{name}"
            try:
                made = make(path, size)
                ours, ref = run("unshared", fmt, path), run("stdlib", fmt, path)
                rate, ref_rate = (
                    ours["messages"] / ours["seconds"],
                    ref["messages"] / ref["seconds"],
                )
                print(
                    f"{fmt} {size} MiB ({made} written): unshared {ours['messages']:.0f} in "
                    f"{ours['seconds']:.1f} s = {rate:,.0f}/s, peak {ours['peak_mb']:.0f} MiB; "
                    f"stdlib {ref['messages']:.0f} in {ref['seconds']:.1f} s = {ref_rate:,.0f}/s, "
                    f"peak {ref['peak_mb']:.0f} MiB; ratio {rate / ref_rate:.2f}"
                )
            finally:
                path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
