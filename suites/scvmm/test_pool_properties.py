"""Properties of IP allocation over generated pools and grant/revoke sequences (§4, §5.5).

* no address is granted twice; none outside the range, in the reserved set or a gateway's;
  VIP grants come from the VIP set and others never do;
* an address revoked back to the pool can be granted again; one withheld cannot;
* a state machine compares the pool with a plain model: the same next-free address, the same
  refusal for every specific request, the same counts.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, invariant, multiple, rule

from drlab.budget import Budgeted
from scvmm_fake import (
    AddressNotAllocated,
    AllocatedToObjectType,
    DefaultGateway,
    IPAddressError,
    IPAddressInUse,
    IPAddressOutOfRange,
    IPAddressPoolExhausted,
    IPAddressReserved,
    SubnetVLan,
    VMMServer,
)
from simcore import Simulation

SUBNET = ipaddress.ip_network("10.0.0.0/26")
NIC, VIP = AllocatedToObjectType.VirtualNetworkAdapter, AllocatedToObjectType.VIP


def at(offset: int) -> ipaddress.IPv4Address:
    return SUBNET.network_address + offset


@dataclass(frozen=True)
class PoolSpec:
    start: int
    end: int
    reserved: tuple[int, ...]
    vips: tuple[int, ...]
    gateway: int | None

    def build(self, seed: int = 0):
        vmm = VMMServer(Simulation(seed), "vmm", fqdn="vmm.contoso.com")
        group = vmm.new_sc_vm_host_group("HG")
        site = vmm.new_sc_logical_network_definition(
            "Site", logical_network=vmm.new_sc_logical_network("LN"), vm_host_group=[group],
            subnet_vlan=[SubnetVLan(str(SUBNET), 5)])
        pool = vmm.new_sc_static_ip_address_pool(
            "Pool", subnet=str(SUBNET), logical_network_definition=site,
            ip_address_range_start=str(at(self.start)), ip_address_range_end=str(at(self.end)),
            ip_address_reserved_set=", ".join(str(at(o)) for o in self.reserved),
            vip_address_set=", ".join(str(at(o)) for o in self.vips),
            default_gateway=[DefaultGateway(str(at(self.gateway)))] if self.gateway is not None else [])
        return vmm, pool

    def grantable(self, offset: int, kind: AllocatedToObjectType) -> bool:
        """Could an address at ``offset`` ever be granted for ``kind`` (ignoring what is taken)?"""
        in_vips = offset in self.vips
        return (self.start <= offset <= self.end and offset not in self.reserved and offset != self.gateway
                and in_vips == (kind is VIP))


@st.composite
def pool_specs(draw: st.DrawFn) -> PoolSpec:
    start = draw(st.integers(1, 40))
    end = draw(st.integers(start, 62))
    vip_first = draw(st.integers(start, end))
    vips = tuple(range(vip_first, min(end, vip_first + draw(st.integers(-1, 3))) + 1))
    reserved = draw(st.lists(st.integers(0, 63).filter(lambda o: o not in vips), max_size=8, unique=True))
    gateway = draw(st.none() | st.integers(1, 62))
    return PoolSpec(start, end, tuple(sorted(reserved)), vips, gateway)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), st.sampled_from([NIC, VIP])),
        st.tuples(st.just("grant_at"), st.integers(0, 63)),
        st.tuples(st.just("revoke"), st.integers(0, 1000), st.booleans()),
    ),
    max_size=40,
)


@given(pool_specs(), operations)
def test_grants_are_unique_inside_the_range_and_revoked_addresses_come_back(spec: PoolSpec, ops) -> None:
    vmm, pool = spec.build()
    held, withheld = [], set()
    for op in ops:
        if op[0] == "revoke":
            if not held:
                continue
            allocation = held.pop(op[1] % len(held))
            vmm.revoke_sc_ip_address(allocation, return_to_pool=op[2])
            if not op[2]:
                withheld.add(allocation.address)
                with pytest.raises(IPAddressInUse):
                    vmm.grant_sc_ip_address(static_ip_address_pool=pool, grant_to_object_type=allocation.grant_to_object_type,
                                            ip_address=str(allocation.address))
                continue
            # Returned to the pool: grantable again, right away, for the same kind of object.
            again = vmm.grant_sc_ip_address(static_ip_address_pool=pool, grant_to_object_type=allocation.grant_to_object_type,
                                            ip_address=str(allocation.address))
            held.append(again)
            continue
        kind = op[1] if op[0] == "grant" else NIC
        try:
            granted = vmm.grant_sc_ip_address(
                static_ip_address_pool=pool, grant_to_object_type=kind,
                ip_address=str(at(op[1])) if op[0] == "grant_at" else None)
        except IPAddressError:
            continue
        offset = int(granted.address) - int(SUBNET.network_address)
        assert granted.address not in {a.address for a in held}, "granted twice"
        assert granted.address not in withheld, "a withheld address was granted"
        assert spec.grantable(offset, kind), f"{granted.address} should never be granted for {kind.value}"
        held.append(granted)
    assert sorted(a.address for a in pool.allocated) == sorted(a.address for a in held)


class PoolAgainstModel(Budgeted, RuleBasedStateMachine):
    """The pool and a set-based model must agree after every step."""

    allocations = Bundle("allocations")

    @initialize(spec=pool_specs())
    def create(self, spec: PoolSpec) -> None:
        self.spec = spec
        self.vmm, self.pool = spec.build()
        self.taken: dict[int, AllocatedToObjectType] = {}
        self.withheld: set[int] = set()

    def _free(self, kind: AllocatedToObjectType) -> list[int]:
        return [o for o in range(64) if self.spec.grantable(o, kind) and o not in self.taken and o not in self.withheld]

    def _expected_refusal(self, offset: int, kind: AllocatedToObjectType) -> type[Exception] | None:
        spec = self.spec
        if not spec.start <= offset <= spec.end:
            return IPAddressOutOfRange
        if offset in self.taken or offset in self.withheld:
            return IPAddressInUse
        if not spec.grantable(offset, kind):
            return IPAddressReserved
        return None

    @rule(target=allocations, kind=st.sampled_from([NIC, VIP]), offset=st.none() | st.integers(0, 63))
    def grant(self, kind: AllocatedToObjectType, offset: int | None):
        free = self._free(kind)
        expected = (None if free else IPAddressPoolExhausted) if offset is None else self._expected_refusal(offset, kind)
        address = None if offset is None else str(at(offset))
        if expected is not None:
            with pytest.raises(expected):
                self.vmm.grant_sc_ip_address(static_ip_address_pool=self.pool, grant_to_object_type=kind, ip_address=address)
            return multiple()
        granted = self.vmm.grant_sc_ip_address(static_ip_address_pool=self.pool, grant_to_object_type=kind,
                                               ip_address=address)
        got = int(granted.address) - int(SUBNET.network_address)
        assert got == (free[0] if offset is None else offset)  # policy NEXT_FREE_ADDRESS: the lowest
        self.taken[got] = kind
        return granted

    @rule(allocation=consumes(allocations), return_to_pool=st.booleans())
    def revoke(self, allocation, return_to_pool: bool) -> None:
        self.vmm.revoke_sc_ip_address(allocation, return_to_pool=return_to_pool)
        offset = int(allocation.address) - int(SUBNET.network_address)
        del self.taken[offset]
        if not return_to_pool:
            self.withheld.add(offset)
        with pytest.raises(AddressNotAllocated):
            self.vmm.revoke_sc_ip_address(allocation)

    @invariant()
    def agrees_with_the_model(self) -> None:
        assert [int(a.address) - int(SUBNET.network_address) for a in self.pool.allocated] == sorted(self.taken)
        assert [int(a) - int(SUBNET.network_address) for a in self.pool.withheld] == sorted(self.withheld)
        assert self.pool.available_addresses == len(self._free(NIC))


TestPoolAgainstModel = PoolAgainstModel.TestCase
