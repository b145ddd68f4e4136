"""Policies of a cloud pairing's health (the mapping's ``health`` / ``healthErrorDetails``)."""

from __future__ import annotations

# -- health of a cloud pairing (the mapping's ``health`` / ``healthErrorDetails``) ----------------

#: Fact (§A.1.2): a sound pairing reads ``health "Normal"`` with ``healthErrorDetails: []``.
HEALTHY = "Normal"

#: Policy: an entity's ``health`` is that of its worst error: an ``Error`` makes it ``Critical``, a
#: ``Warning`` ``Warning``. Facts behind it: RPIs read ``replicationHealth "Critical"`` with Error
#: items and the values Normal / Warning / Critical (§A.4, asr-api.md §6); no recording shows a
#: pairing that is not Normal.
HEALTH_BY_ERROR_LEVEL: dict[str, str] = {"Warning": "Warning", "Error": "Critical"}

#: Policy: the health errors of a pairing name the VMM side that reported the host, after the
#: recorded RPI sources ``ReplicationUnitProviderErrorOnPrimary`` / ``…OnReplica`` (§A.4); no
#: pairing health error was recorded.
PAIRING_HEALTH_ERROR_SOURCES: dict[str, str] = {
    "Primary": "CloudPairingProviderErrorOnPrimary", "Recovery": "CloudPairingProviderErrorOnRecovery"}

#: Policy: ``errorType`` of a pairing host defect (recorded types are a number or a validator's
#: name, ``"305"``, ``"TestFailoverValidator"``).
PAIRING_HEALTH_ERROR_TYPE = "CloudPairingHostValidator"

#: Policy: every host defect VMM reports stops replication to or from that host, so it is an
#: ``Error`` (recorded levels: Error, Warning).
PAIRING_HEALTH_ERROR_LEVEL = "Error"

#: Policy: the one recorded ``errorCategory`` (§B.6).
PAIRING_HEALTH_ERROR_CATEGORY = "Replication"

#: Policy: the administrator resolves a host defect (fix the host, or let VMM configure it again).
PAIRING_HEALTH_RESOLVABILITY = "Allowed"

#: Policy: ``errorId`` is a name-based UUID of the pairing, side, host and code, so the same defect
#: keeps its id (and its ``creationTimeUtc``, the instant ASR first learnt of it) across syncs;
#: ``entityId`` is the host's FQDN. (Recorded: ``errorId "3:305"``, an ``entityId``; their scheme
#: is unknown.)
PAIRING_HEALTH_ERROR_ID = "uuid5(NAMESPACE_URL, '<pairing id>|<side>|<host>|<code>')"
