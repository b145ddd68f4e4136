"""What VMM reports of its paired clouds' hosts, and when that report changes with no call at all.

``cloud_pairings`` judges every host of a paired cloud with ``pairing_defects`` for each pairing
that configures the cloud: the ``pairings`` of the DR inventory (PROTOCOL.md §5.2), from which ASR
shows health errors on the pairing. It is only called when the inventory is rebuilt, i.e. when
``dr_revision`` moved.

``host_deadlines`` lists the virtual instants at which a host's judgement can change by itself,
as the clock passes a validity boundary: its configured certificate's chain and its site root
becoming valid or expiring, a cached CRL becoming current or stale. Each is the *first* instant
at which the change shows (validity ends are inclusive, so an expiry shows one microsecond after
``notAfter``, the clock's resolution), so a Provider that wakes then sees it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from hyperv_fake import HyperVHost
from simcore import Clock
from simcore.pki import CertificateAuthority

from ._inventory import InventoryPairing, InventoryPairingDefect
from ._pairing_check import load_root, pairing_defects
from ._pairing_record import AuthenticationType, CloudPairing

__all__ = ["cloud_pairings", "host_deadlines"]

_RESOLUTION = timedelta(microseconds=1)


def cloud_pairings(records: Iterable[CloudPairing], hosts: Iterable[HyperVHost],
                   site_ca: CertificateAuthority | None) -> tuple[InventoryPairing, ...]:
    """Each pairing of one cloud with the defects of the cloud's hosts, hosts by FQDN."""
    ordered = sorted(hosts, key=lambda host: host.fqdn.casefold())
    return tuple(
        InventoryPairing(
            pairing_id=record.pairing_id, role=record.role.value, peer_cloud_id=record.peer_cloud_id,
            defects=tuple(InventoryPairingDefect(host.fqdn, defect.kind.value, defect.detail)
                          for host in ordered for defect in pairing_defects(host, record, site_ca=site_ca)))
        for record in records)


def _starts(clock: Clock, when: datetime) -> float:
    return clock.to_seconds(when)


def _ends(clock: Clock, when: datetime) -> float:
    return clock.to_seconds(when + _RESOLUTION)


def host_deadlines(host: HyperVHost, record: CloudPairing, clock: Clock) -> list[float]:
    """The instants (virtual seconds, past ones included) at which ``pairing_defects(host, record)``
    can change with nothing else changing. O(the host's chain and CRLs)."""
    if record.settings.authentication_type is not AuthenticationType.Certificate:
        return []
    instants: list[float] = []
    stored = host.certificates.personal(host.replication_server.certificate_thumbprint or "")
    chain = (*(stored.chain if stored is not None else ()), load_root(record.site_root_certificate))
    for certificate in chain:
        instants += [_starts(clock, certificate.not_valid_before_utc), _ends(clock, certificate.not_valid_after_utc)]
    if record.peer_root_certificate:
        peer = load_root(record.peer_root_certificate).subject
        for crl in host.certificates.crls:
            if crl.issuer == peer:
                instants.append(_starts(clock, crl.last_update_utc))
                if crl.next_update_utc is not None:
                    instants.append(_ends(clock, crl.next_update_utc))
    return instants
