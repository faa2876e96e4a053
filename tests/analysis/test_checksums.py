"""Checksums against published test vectors (BIP-173, BIP-350, EIP-55, Keccak)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unshared.analysis import checksums
from unshared.analysis.checksums import _sha3_256


def test_keccak256_known_digests() -> None:
    assert checksums.keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert checksums.keccak256(b"abc").hex() == (
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    )


def test_keccak256_is_not_sha3() -> None:
    assert checksums.keccak256(b"") != hashlib.sha3_256(b"").digest()


@given(st.binary(max_size=400))
def test_permutation_matches_hashlib_sha3(data: bytes) -> None:
    # Same permutation with SHA-3's padding must give hashlib's SHA3-256: checks Keccak-f itself.
    assert _sha3_256(data) == hashlib.sha3_256(data).digest()


EIP55_VALID = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


@pytest.mark.parametrize("address", EIP55_VALID)
def test_eip55_vectors(address: str) -> None:
    assert checksums.eip55_checksum(address.lower()) == address
    assert checksums.eip55_valid(address)


def test_eip55_one_flipped_case_fails() -> None:
    assert not checksums.eip55_valid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")


SEGWIT_VALID = [
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
    "BC1SW50QGDZ25J",
    "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
]
SEGWIT_INVALID = [
    "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
    "bc1pw5dgrnzv",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
    "bc1gmk9yu",
    "bc1qw508d6qejxtdg4Y5r3zarvary0c5xw7kv8f3t4",  # mixed case
]


@pytest.mark.parametrize("address", SEGWIT_VALID)
def test_bip350_valid_addresses(address: str) -> None:
    assert checksums.segwit_valid(address)


@pytest.mark.parametrize("address", SEGWIT_INVALID)
def test_bip350_invalid_addresses(address: str) -> None:
    assert not checksums.segwit_valid(address)


def test_base58check_bitcoin_and_tron() -> None:
    assert checksums.btc_base58_valid("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    assert checksums.btc_base58_valid("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")
    assert not checksums.btc_base58_valid("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")
    assert checksums.tron_valid("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
    assert not checksums.tron_valid("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u")
    # A valid Bitcoin address is not a Tron address (wrong version byte), and the other way.
    assert not checksums.tron_valid("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    assert not checksums.btc_base58_valid("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
    assert checksums.b58decode("0OIl") is None


@pytest.mark.parametrize(
    "iban",
    ["GB82WEST12345698765432", "DE89370400440532013000", "BE68539007547034", "NO9386011117947"],
)
def test_iban_mod97_agrees_with_stdnum(iban: str) -> None:
    from stdnum import iban as stdnum_iban

    from unshared.analysis.finders import _mod97

    assert _mod97(iban)
    assert stdnum_iban.is_valid(iban, check_country=False)
    broken = iban[:-1] + str((int(iban[-1]) + 1) % 10)
    assert not _mod97(broken)
    assert not stdnum_iban.is_valid(broken, check_country=False)
