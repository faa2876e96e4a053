"""Private fingerprints of images and videos: PDQ (with its 8 dihedral variants), a crop-tolerant
set of PDQ hashes, vPDQ-compatible video hashes, MD5 and SHA-256. Media is read in place and never
copied; only these fingerprints leave this package.
"""

from unshared.fingerprints.base import LumaHasher, PixelHasher
from unshared.fingerprints.crops import CROP_MATCH_DISTANCE, CROPS, crop_distance, crop_hashes
from unshared.fingerprints.digests import Digests, digest_file
from unshared.fingerprints.media import Options, Outcome, fingerprint_file, iter_media
from unshared.fingerprints.pdq import (
    DIHEDRAL_NAMES,
    MATCH_DISTANCE,
    MIN_QUALITY,
    FastPdqHasher,
    PdqResult,
    ReferencePdqHasher,
    hamming,
    require_quality,
)
from unshared.fingerprints.video import VpdqFrame, hash_video, to_vpdq_lines

__all__ = [
    "CROPS",
    "CROP_MATCH_DISTANCE",
    "DIHEDRAL_NAMES",
    "MATCH_DISTANCE",
    "MIN_QUALITY",
    "Digests",
    "FastPdqHasher",
    "LumaHasher",
    "Options",
    "Outcome",
    "PdqResult",
    "PixelHasher",
    "ReferencePdqHasher",
    "VpdqFrame",
    "crop_distance",
    "crop_hashes",
    "digest_file",
    "fingerprint_file",
    "hamming",
    "hash_video",
    "iter_media",
    "require_quality",
    "to_vpdq_lines",
]
