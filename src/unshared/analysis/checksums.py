"""Checksums of payment identifiers: Base58Check, Bech32/Bech32m, Keccak-256 and EIP-55.

Pure functions, no I/O. Every check returns ``True`` only when the whole identifier is well formed
*and* its checksum matches; the callers decide what a failure means (see :mod:`.finders`).

* Base58Check (Bitcoin P2PKH/P2SH, Tron): double SHA-256, first four bytes.
* Bech32 (BIP-173, witness v0) and Bech32m (BIP-350, witness v1..16), including the witness
  program rules (length, padding, the right variant for the version).
* Keccak-256 as Ethereum uses it (the original Keccak padding ``0x01``, *not* SHA3-256's ``0x06``;
  hashlib only has the latter), and the EIP-55 mixed-case address checksum built on it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

__all__ = [
    "BASE58_ALPHABET",
    "b58decode",
    "base58check_payload",
    "btc_base58_valid",
    "eip55_checksum",
    "eip55_valid",
    "keccak256",
    "segwit_valid",
    "tron_valid",
]

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(BASE58_ALPHABET)}


def b58decode(text: str) -> bytes | None:
    """Base58 (Bitcoin alphabet) to bytes; ``None`` when a character is outside the alphabet."""
    value = 0
    for char in text:
        digit = _B58_INDEX.get(char)
        if digit is None:
            return None
        value = value * 58 + digit
    body = value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""
    zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * zeros + body


def base58check_payload(text: str) -> bytes | None:
    """The payload (version byte + data) of a Base58Check string, or ``None`` if it fails."""
    raw = b58decode(text)
    if raw is None or len(raw) < 5:
        return None
    payload, check = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != check:
        return None
    return payload


def btc_base58_valid(text: str) -> bool:
    """A Bitcoin mainnet P2PKH (version 0x00) or P2SH (0x05) address with a good checksum."""
    payload = base58check_payload(text)
    return payload is not None and len(payload) == 21 and payload[0] in (0x00, 0x05)


def tron_valid(text: str) -> bool:
    """A Tron address: Base58Check, version byte 0x41, 20 bytes of account."""
    payload = base58check_payload(text)
    return payload is not None and len(payload) == 21 and payload[0] == 0x41


# ------------------------------------------------------------------------------------ bech32
_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(_BECH32_CHARSET)}
_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3


def _polymod(values: list[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(_BECH32_GEN):
            if (top >> i) & 1:
                chk ^= gen
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits_5_to_8(data: list[int]) -> bytes | None:
    """Regroup 5-bit values into bytes; ``None`` on more than 4 padding bits or non-zero padding."""
    acc = 0
    bits = 0
    out = bytearray()
    for value in data:
        acc = (acc << 5) | value
        bits += 5
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    if bits >= 5 or (acc << (8 - bits)) & 0xFF:
        return None
    return bytes(out)


def segwit_valid(address: str, hrp: str = "bc") -> bool:
    """A native segwit address (BIP-173 for v0, BIP-350 for v1..v16) for ``hrp``."""
    if len(address) > 90 or (address.lower() != address and address.upper() != address):
        return False
    address = address.lower()
    sep = address.rfind("1")
    if address[:sep] != hrp or len(address) - sep - 1 < 7:
        return False
    data: list[int] = []
    for char in address[sep + 1 :]:
        digit = _BECH32_INDEX.get(char)
        if digit is None:
            return False
        data.append(digit)
    const = _polymod(_hrp_expand(hrp) + data)
    if const not in (BECH32_CONST, BECH32M_CONST):
        return False
    version = data[0]
    if version > 16:
        return False
    program = _convert_bits_5_to_8(data[1:-6])
    if program is None or not 2 <= len(program) <= 40:
        return False
    if version == 0:
        return const == BECH32_CONST and len(program) in (20, 32)
    return const == BECH32M_CONST


# ------------------------------------------------------------------------------------ keccak
_MASK = (1 << 64) - 1


def _round_constants() -> tuple[int, ...]:
    """The 24 iota constants, from the degree-8 LFSR of the Keccak reference."""
    state = 1
    out = []
    for _ in range(24):
        constant = 0
        for j in range(7):
            if state & 1:
                constant |= 1 << ((1 << j) - 1)
            state <<= 1
            if state & 0x100:
                state ^= 0x171
        out.append(constant)
    return tuple(out)


def _rotations() -> tuple[int, ...]:
    """Rho offsets, indexed x + 5*y: (t+1)(t+2)/2 along the (x, y) -> (y, 2x+3y) walk."""
    offsets = [0] * 25
    x, y = 1, 0
    for t in range(24):
        offsets[x + 5 * y] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5
    return tuple(offsets)


_RC = _round_constants()
_ROT = _rotations()
# Where lane (x, y) lands after pi: (y, 2x + 3y).
_PI = tuple(y + 5 * ((2 * x + 3 * y) % 5) for y in range(5) for x in range(5))


def _keccak_f(lanes: list[int]) -> None:
    for constant in _RC:
        c = [
            lanes[x] ^ lanes[x + 5] ^ lanes[x + 10] ^ lanes[x + 15] ^ lanes[x + 20]
            for x in range(5)
        ]
        d = [
            c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _MASK)
            for x in range(5)
        ]
        b = [0] * 25
        for i in range(25):
            lane = lanes[i] ^ d[i % 5]
            r = _ROT[i]
            b[_PI[i]] = ((lane << r) | (lane >> (64 - r))) & _MASK if r else lane
        for y in range(0, 25, 5):
            row = b[y : y + 5]
            for x in range(5):
                lanes[y + x] = row[x] ^ ((~row[(x + 1) % 5]) & row[(x + 2) % 5])
        lanes[0] ^= constant


def _sponge(data: bytes, rate: int, pad: int, size: int) -> bytes:
    lanes = [0] * 25
    padded = bytearray(data)
    padded.append(pad)
    while len(padded) % rate:
        padded.append(0)
    padded[-1] |= 0x80
    for start in range(0, len(padded), rate):
        block = padded[start : start + rate]
        for i in range(rate // 8):
            lanes[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _keccak_f(lanes)
    return b"".join(lane.to_bytes(8, "little") for lane in lanes)[:size]


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum uses it (original padding, rate 136 bytes)."""
    return _sponge(data, 136, 0x01, 32)


def _sha3_256(data: bytes) -> bytes:
    """SHA3-256 through the same permutation: only used to cross-check it against hashlib."""
    return _sponge(data, 136, 0x06, 32)


@lru_cache(maxsize=4096)
def eip55_checksum(address: str) -> str:
    """The EIP-55 mixed-case form of a 0x-prefixed 40-hex-digit address."""
    body = address[2:].lower()
    digest = keccak256(body.encode("ascii")).hex()
    return "0x" + "".join(
        char.upper() if char.isalpha() and int(digest[i], 16) >= 8 else char
        for i, char in enumerate(body)
    )


def eip55_valid(address: str) -> bool:
    """True when the letters' case is the EIP-55 checksum of the address."""
    return eip55_checksum(address) == "0x" + address[2:]
