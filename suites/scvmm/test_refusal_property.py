"""Property: whatever sequence of cmdlets an operator runs, with valid and invalid arguments mixed,
every call either succeeds or raises a ``VmmError`` having changed nothing (no object, no job, no id
drawn) and leaving exactly ``invoke`` + ``fail`` in the history. No other exception ever escapes."""

from __future__ import annotations

from hypothesis import event, given
from hypothesis import strategies as st

from hyperv_fake import HyperVFabric
from scvmm_fake import (
    AllocatedToObjectType,
    Credential,
    IsolationType,
    IPv4AddressType,
    NetworkAdapterSpec,
    SubnetVLan,
    VMMServer,
    VmmError,
)
from simcore import Simulation

NAMES = ["A", "B", "a"]
SUBNETS = ["10.0.0.0/24", "10.0.0.0/25", "10.0.1.0/24", "192.168.0.0/24"]


def _world() -> VMMServer:
    sim = Simulation(9)
    vmm = VMMServer(sim, "vmm", fqdn="vmm.contoso.com")
    admin = vmm.new_sc_run_as_account("Admin", credential=Credential("admin"))
    hyperv = HyperVFabric(sim)
    group = vmm.new_sc_vm_host_group("NY")
    for name in ("hv1", "hv2"):
        vmm.add_sc_vm_host(hyperv.add_host(name, fqdn=f"{name}.contoso.com"), credential=admin, vm_host_group=group)
    corp = vmm.new_sc_logical_network("Corp")
    site = vmm.new_sc_logical_network_definition("NY-Site", logical_network=corp, vm_host_group=[group],
                                                 subnet_vlan=[SubnetVLan(SUBNETS[0], 5)])
    vmm.new_sc_vm_network("Corp-VMs", logical_network=corp)
    vmm.new_sc_static_ip_address_pool("Corp-Pool", subnet=SUBNETS[0], logical_network_definition=site,
                                      ip_address_range_start="10.0.0.10", ip_address_range_end="10.0.0.13")
    gold = vmm.new_sc_cloud("Gold", vm_host_group=[group], disaster_recovery_supported=True)
    vmm.set_sc_cloud(gold, add_cloud_resource=[corp])
    return vmm


def _pick(data: st.DataObject, items: list, *, allow_none: bool = False):
    options = st.sampled_from(items) if items else st.nothing()
    return data.draw(options | st.none() if allow_none or not items else options)


def _subnet_vlans(data: st.DataObject) -> list[SubnetVLan]:
    return [SubnetVLan(subnet, vlan) for subnet, vlan in data.draw(
        st.lists(st.tuples(st.sampled_from(SUBNETS), st.sampled_from([0, 5])), max_size=2))]


def _operation(vmm: VMMServer, data: st.DataObject):
    """One cmdlet call, drawn with arguments among the server's objects, as a zero-argument callable."""
    groups = vmm.get_sc_vm_host_group()
    clouds, networks = vmm.get_sc_cloud(), vmm.get_sc_logical_network()
    sites, vm_networks = vmm.get_sc_logical_network_definition(), vmm.get_sc_vm_network()
    subnets, pools = vmm.get_sc_vm_subnet(), vmm.get_sc_static_ip_address_pool()
    addresses, vms = vmm.get_sc_ip_address(), vmm.get_sc_virtual_machine()
    name = data.draw(st.sampled_from(NAMES))
    kind = data.draw(st.sampled_from([
        "group", "remove_group", "cloud", "set_cloud", "remove_cloud", "logical", "site", "vm_network", "vm_subnet",
        "pool", "grant", "revoke", "remove_pool", "vm", "remove_vm"]))
    if kind == "group":
        parent = _pick(data, groups)
        return lambda: vmm.new_sc_vm_host_group(name, parent_host_group=parent)
    if kind == "remove_group":
        group = _pick(data, groups)
        return lambda: vmm.remove_sc_vm_host_group(group)
    if kind == "cloud":
        members = data.draw(st.lists(st.sampled_from(groups), max_size=2))
        flag = data.draw(st.booleans())
        return lambda: vmm.new_sc_cloud(name, vm_host_group=members, disaster_recovery_supported=flag)
    if kind in ("set_cloud", "remove_cloud") and clouds:
        cloud = _pick(data, clouds)
        if kind == "remove_cloud":
            return lambda: vmm.remove_sc_cloud(cloud)
        changes = {"add_vm_host_group": data.draw(st.lists(st.sampled_from(groups), max_size=1)),
                   "remove_vm_host_group": data.draw(st.lists(st.sampled_from(groups), max_size=1)),
                   "add_cloud_resource": data.draw(st.lists(st.sampled_from(networks), max_size=1)) if networks else [],
                   "disaster_recovery_supported": data.draw(st.none() | st.booleans())}
        if data.draw(st.booleans()) and cloud.disaster_recovery_supported:
            vmm.set_cloud_paired(cloud, data.draw(st.booleans()))
        return lambda: vmm.set_sc_cloud(cloud, **changes)
    if kind == "logical":
        flags = data.draw(st.tuples(st.booleans(), st.booleans()))
        return lambda: vmm.new_sc_logical_network(
            name, enable_network_virtualization=flags[0], logical_network_definition_isolation=flags[1])
    if kind == "site" and networks:
        network, members, items = _pick(data, networks), data.draw(st.lists(st.sampled_from(groups), max_size=2)), \
            _subnet_vlans(data)
        return lambda: vmm.new_sc_logical_network_definition(
            name, logical_network=network, vm_host_group=members, subnet_vlan=items)
    if kind == "vm_network" and networks:
        network = _pick(data, networks)
        isolation = data.draw(st.none() | st.sampled_from(list(IsolationType)))
        return lambda: vmm.new_sc_vm_network(name, logical_network=network, isolation_type=isolation)
    if kind == "vm_subnet" and vm_networks:
        vm_network, items, site = _pick(data, vm_networks), _subnet_vlans(data), _pick(data, sites, allow_none=True)
        return lambda: vmm.new_sc_vm_subnet(name, vm_network=vm_network, subnet_vlan=items,
                                            logical_network_definition=site)
    if kind == "pool" and (sites or subnets):
        on_site = bool(sites) and data.draw(st.booleans())
        place = {"logical_network_definition": _pick(data, sites)} if on_site else {"vm_subnet": _pick(data, subnets)}
        subnet = data.draw(st.sampled_from(SUBNETS))
        first, last = data.draw(st.tuples(st.integers(1, 130), st.integers(1, 130)))
        prefix = subnet.rsplit(".", 1)[0]
        return lambda: vmm.new_sc_static_ip_address_pool(
            name, subnet=subnet, ip_address_range_start=f"{prefix}.{first}", ip_address_range_end=f"{prefix}.{last}",
            ip_address_reserved_set=f"{prefix}.{first}", **place)
    if kind == "grant" and pools:
        pool = _pick(data, pools)
        kind_of = data.draw(st.sampled_from([AllocatedToObjectType.VirtualNetworkAdapter, AllocatedToObjectType.VIP]))
        address = data.draw(st.none() | st.integers(0, 140).map(lambda o: f"{SUBNETS[0].rsplit('.', 1)[0]}.{o}"))
        return lambda: vmm.grant_sc_ip_address(static_ip_address_pool=pool, grant_to_object_type=kind_of,
                                               ip_address=address)
    if kind == "revoke" and addresses:
        allocation, back = _pick(data, addresses), data.draw(st.booleans())
        if data.draw(st.booleans()):
            vmm.revoke_sc_ip_address(allocation)  # so that the drawn call revokes an address already revoked
        return lambda: vmm.revoke_sc_ip_address(allocation, return_to_pool=back)
    if kind == "remove_pool" and pools:
        pool = _pick(data, pools)
        return lambda: vmm.remove_sc_static_ip_address_pool(pool)
    if kind == "vm" and clouds:
        cloud = _pick(data, clouds)
        nics = [NetworkAdapterSpec(network, ipv4_address_type=data.draw(st.sampled_from(list(IPv4AddressType))))
                for network in data.draw(st.lists(st.sampled_from(vm_networks), max_size=2))] if vm_networks else []
        return lambda: vmm.new_sc_virtual_machine(name, cloud=cloud, virtual_network_adapters=nics)
    if kind == "remove_vm" and vms:
        vm = _pick(data, vms)
        return lambda: vmm.remove_sc_virtual_machine(vm)
    return None


@given(st.data())
def test_every_refused_call_changes_nothing(state_of, data: st.DataObject) -> None:
    vmm = _world()
    refused = succeeded = 0
    for _ in range(data.draw(st.integers(5, 25))):
        call = _operation(vmm, data)
        if call is None:
            continue
        before, events = state_of(vmm), len(vmm.sim.history)
        try:
            call()
        except VmmError:
            refused += 1
            assert state_of(vmm) == before, "a refused call changed the server"
            tail = [(e.op.startswith("vmm."), e.phase.value) for e in list(vmm.sim.history)[events:]]
            assert tail == [(True, "invoke"), (True, "fail")]
        else:
            succeeded += 1
            assert vmm.sim.history[-1].phase.value == "ok"
    event(f"refused {min(refused, 5)}+ calls")
    event(f"succeeded {min(succeeded, 5)}+ calls")
