"""Tamper evidence for every service's event log (ADR 0003).

Each stored event becomes a leaf of an RFC 9162 Merkle tree (``rfc9162``, stdlib). Leaves go to an
append-only leaf log outside the database, and signed tree heads (Ed25519) fix the root at
each seal. ``verify`` replays the database against both and names the first bad position.

>>> head = seal_service("Registry", store, Path("/var/lib/shequ/audit"), key_path)
>>> verify_service("Registry", store, Path("/var/lib/shequ/audit")).ok
True
"""

from shequ.audit.leaves import (
    AuditError,
    LeafEntry,
    LeafLog,
    LeafLogError,
    leaf_data,
    leaf_hash,
)
from shequ.audit.sealer import SealAlarm, Sealer, open_recorder, seal_service, service_dir
from shequ.audit.treeheads import (
    ALGORITHM,
    HeadFormatError,
    TreeHead,
    key_id,
    latest_head,
    load_or_create_key,
    load_public_key,
    read_heads,
    signature_ok,
)
from shequ.audit.verify import VerifyReport, verify, verify_service

__all__ = [
    "ALGORITHM",
    "AuditError",
    "HeadFormatError",
    "LeafEntry",
    "LeafLog",
    "LeafLogError",
    "SealAlarm",
    "Sealer",
    "TreeHead",
    "VerifyReport",
    "key_id",
    "latest_head",
    "leaf_data",
    "leaf_hash",
    "load_or_create_key",
    "load_public_key",
    "open_recorder",
    "read_heads",
    "seal_service",
    "service_dir",
    "signature_ok",
    "verify",
    "verify_service",
]
