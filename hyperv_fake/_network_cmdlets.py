"""Network adapter cmdlets, the test-failover switch and Failover TCP/IP settings (§3.2, §3.7)."""

from __future__ import annotations

from typing import Unpack

from ._cmdlet import cmdlet
from ._errors import InvalidParameterError, InvalidStateError, ObjectNotFoundError
from ._hostbase import HostBase
from ._ipconfig import FailoverIPConfiguration, FailoverSettings, failover_configuration
from ._vm import VM, VMNetworkAdapter

__all__ = ["NetworkCmdlets", "HYPER_V_MAC_PREFIX"]

HYPER_V_MAC_PREFIX = "00155D"
"""Hyper-V's dynamic MAC addresses use Microsoft's OUI 00-15-5D."""


class NetworkCmdlets(HostBase):
    """``Add-VMNetworkAdapter``, ``Connect-``/``Set-VMNetworkAdapter``,
    ``Set-``/``Get-VMNetworkAdapterFailoverConfiguration``."""

    def _adapter(self, vm: VM, name: str | None) -> VMNetworkAdapter:
        if name is None and len(vm.adapters) == 1:
            return vm.adapters[0]
        found = next((a for a in vm.adapters if a.name == name), None)
        if found is None:
            raise ObjectNotFoundError(f"No network adapter named '{name}' was found on virtual machine '{vm.name}'.",
                                      vm_name=vm.name)
        return found

    def _switch(self, name: str | None, vm: VM) -> str | None:
        if name is not None and name not in self.switches:
            raise ObjectNotFoundError(f"The virtual switch '{name}' was not found on {self.fqdn}.", vm_name=vm.name)
        return name

    @cmdlet("Add-VMNetworkAdapter")
    def add_vm_network_adapter(self, vm_name: str, *, name: str = "Network Adapter", switch_name: str | None = None,
                               is_legacy: bool = False) -> VMNetworkAdapter:
        """A synthetic adapter, or with ``is_legacy`` an emulated one (Generation 1 only)."""
        vm = self._vm(vm_name)
        if any(a.name == name for a in vm.adapters):
            raise InvalidParameterError(f"Virtual machine '{vm_name}' already has an adapter named '{name}'.",
                                        vm_name=vm_name)
        if is_legacy and vm.generation != 1:
            raise InvalidParameterError("Legacy network adapters are supported on Generation 1 virtual machines only.",
                                        vm_name=vm_name)
        switch = self._switch(switch_name, vm)
        mac = HYPER_V_MAC_PREFIX + f"{self.fabric.sim.random.stream('hyperv.mac').getrandbits(24):06X}"
        adapter = VMNetworkAdapter(name, mac, is_legacy, switch)
        vm.adapters.append(adapter)
        return adapter

    @cmdlet("Connect-VMNetworkAdapter")
    def connect_vm_network_adapter(self, vm_name: str, *, switch_name: str, name: str | None = None) -> None:
        vm = self._vm(vm_name)
        adapter = self._adapter(vm, name)
        adapter.switch_name = self._switch(switch_name, vm)

    @cmdlet("Disconnect-VMNetworkAdapter")
    def disconnect_vm_network_adapter(self, vm_name: str, *, name: str | None = None) -> None:
        self._adapter(self._vm(vm_name), name).switch_name = None

    @cmdlet("Set-VMNetworkAdapter")
    def set_vm_network_adapter(self, vm_name: str, *, test_replica_switch_name: str | None,
                               name: str | None = None) -> None:
        """The switch a test failover VM's adapter connects to (§3.2; default: not connected)."""
        vm = self._vm(vm_name)
        adapter = self._adapter(vm, name)
        adapter.test_replica_switch_name = self._switch(test_replica_switch_name, vm)

    @cmdlet("Set-VMNetworkAdapterFailoverConfiguration")
    def set_vm_network_adapter_failover_configuration(
        self, vm_name: str, *, vm_network_adapter_name: str | None = None, **settings: Unpack[FailoverSettings],
    ) -> None:
        """Store the adapter's failover settings in the VM's configuration (§3.7); applied at failover boot.

        Parameters as the cmdlet's: ``ipv4_address``, ``ipv4_subnet_mask``, ``ipv4_default_gateway`` (one or up
        to five), ``ipv4_preferred_dns_server``, ``ipv4_alternate_dns_server``, the ``ipv6_`` ones with
        ``ipv6_subnet_prefix_length``, and ``clear_failover_ipv4_settings``/``clear_failover_ipv6_settings``.
        """
        vm = self._vm(vm_name)
        adapter = self._adapter(vm, vm_network_adapter_name)
        if vm.replication is None:
            raise InvalidStateError(f"Failover TCP/IP settings apply only to replicated virtual machines; '{vm_name}' "
                                    "is not enabled for replication.", vm_name=vm_name)
        adapter.failover = failover_configuration(adapter.failover, settings,
                                                  cmdlet="Set-VMNetworkAdapterFailoverConfiguration", vm_name=vm_name)

    def get_vm_network_adapter_failover_configuration(
        self, vm_name: str, *, vm_network_adapter_name: str | None = None,
    ) -> FailoverIPConfiguration:
        return self._adapter(self._vm(vm_name), vm_network_adapter_name).failover
