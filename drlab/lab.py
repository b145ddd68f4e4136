"""``drlab.Lab``: a two-site DR lab — ASR with one vault, two VMM servers with their Providers
registered, Hyper-V hosts, clouds, networks and running VMs — on one deterministic simulation;
``add_vmware_site`` adds a VMware site (vCenters, configuration server) beside them.

    lab = Lab(seed=1)                        # the default topology, Providers registered and synced
    asr = lab.azure_client()                 # SiteRecoveryManagementClient, in-process
    [f.properties.friendly_name for f in asr.replication_fabrics.list(lab.resource_group, lab.vault_name)]
    lab.advance(3600)                        # an hour of virtual time: polls, heartbeats, workloads

Every parameter is checked before anything is built (``LabConfigError`` and its subclasses).
Same seed and same calls → same ids and the same history. With ``sockets=True`` the Providers
talk to ASR over real HTTPS on 127.0.0.1 (TLS client authentication, optionally through a real
CONNECT proxy); then ``close()`` the lab (or use it as a context manager).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from asr_emulator import AsrService
from asr_emulator.automation import AutomationAccount
from asr_emulator.policy import DEFAULT_RETRY_AFTER, PAGE_SIZE
from hyperv_fake import HyperVFabric, HyperVHost, HyperVPolicy
from scvmm_fake import Cloud, ScriptBody, VirtualMachine
from scvmm_fake.provider import AsrProvider, ChannelFailure, RegistrationRefused
from simcore import FaultPlan, History, Network, Simulation

from ._lab.spec import (
    DEFAULT_CLOUDS, DEFAULT_NETWORKS, CloudSpec, LabConfigError, LabSpec, NetworkSpec, Role, VMSpec,
)
from ._lab.topology import Site, add_cloud, add_host, add_vm, build_site
from ._lab.vmware import VMwareSite, VMwareSiteSpec, build_vmware_site
from ._lab.wiring import InProcessWiring, ProxySpec, SocketWiring
from .azure_transport import DEFAULT_SUBSCRIPTION, recovery_services_client, site_recovery_client
from .discovered import discovered

if TYPE_CHECKING:
    from azure.mgmt.recoveryservices import RecoveryServicesClient
    from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient
    from azure.mgmt.recoveryservicessiterecovery.aio import SiteRecoveryManagementClient as AioSiteRecoveryManagementClient

__all__ = ["Lab", "LabStartError", "SUBSCRIPTION_ID", "RESOURCE_GROUP", "VAULT", "LOCATION",
           "SYNC_AFTER_TOPOLOGY_CHANGE"]

SUBSCRIPTION_ID = DEFAULT_SUBSCRIPTION
RESOURCE_GROUP = "asr-harness"
VAULT = "vault1"
LOCATION = "westeurope"

#: Policy: after a host, cloud or VM is added at run time (``Lab.add_host``/``add_cloud``/``add_vm``),
#: the site's Provider polls at once, so its inventory (the changed DR revision) reaches ASR with no
#: virtual time passing — as an administrator refreshing the server would see it; ``sync=False``
#: leaves it to the Provider's next scheduled poll, as the real Provider's cadence would.
SYNC_AFTER_TOPOLOGY_CHANGE = True


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise LabConfigError(f"site must be 'primary' or 'recovery', got {role!r}") from None


class LabStartError(RuntimeError):
    """The lab was built but a Provider could not register (the cause says why: a refused key, a
    proxy answering 407, a certificate refused...). Nothing of the lab is left running."""


class Lab:
    """Two sites, their Providers registered to one vault of an in-process ASR (see the module doc).

    Topology: ``hosts_per_site``, ``clouds`` (``CloudSpec``), ``networks`` (``NetworkSpec``), ``vms``
    (``VMSpec``; default ``vms_per_cloud`` per primary cloud). ASR: the vault's ids, and the
    service's ``retry_after``/``advance_on_poll``/``page_size``. Channel: ``proxy`` (``ProxySpec``),
    ``sockets``; ``register=False`` leaves the Providers installed but unregistered. Hosts:
    ``hyperv_policy`` (``HyperVPolicy``; e.g. a ``TrustPolicy`` that lets defects reach the handshake).
    ``strict``: the service refuses what the current one does though the source material describes it
    (recovery-plan runbooks between VMM sites). Recovery-plan scripts go on the VMM servers' library
    shares (``put_script``), runbooks into an Azure Automation account (``automation_account``).
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        hosts_per_site: int = 2,
        clouds: Sequence[CloudSpec] = DEFAULT_CLOUDS,
        networks: Sequence[NetworkSpec] = DEFAULT_NETWORKS,
        vms: Sequence[VMSpec] | None = None,
        vms_per_cloud: int = 2,
        subscription_id: str = SUBSCRIPTION_ID,
        resource_group: str = RESOURCE_GROUP,
        vault: str = VAULT,
        location: str = LOCATION,
        retry_after: int = DEFAULT_RETRY_AFTER,
        advance_on_poll: float | None = None,
        page_size: int = PAGE_SIZE,
        proxy: ProxySpec | None = None,
        sockets: bool = False,
        register: bool = True,
        hyperv_policy: HyperVPolicy | None = None,
        strict: bool = False,
    ) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise LabConfigError(f"seed must be an int, got {seed!r}")
        if proxy is not None and not isinstance(proxy, ProxySpec):
            raise LabConfigError(f"proxy must be a ProxySpec or None, got {proxy!r}")
        if hyperv_policy is not None and not isinstance(hyperv_policy, HyperVPolicy):
            raise LabConfigError(f"hyperv_policy must be a HyperVPolicy or None, got {hyperv_policy!r}")
        for name, value in (("subscription_id", subscription_id), ("resource_group", resource_group),
                            ("vault", vault), ("location", location)):
            if not isinstance(value, str) or not value.strip():
                raise LabConfigError(f"{name} must be a non-empty str, got {value!r}")
        self.spec = LabSpec(hosts_per_site, clouds, networks, vms, vms_per_cloud)  # type: ignore[arg-type]
        self.sim = Simulation(seed)
        try:
            self.service = AsrService(self.sim, retry_after=retry_after, advance_on_poll=advance_on_poll,
                                      page_size=page_size, strict=strict)
        except ValueError as error:
            raise LabConfigError(str(error)) from None
        self.subscription_id, self.resource_group, self.vault_name = subscription_id, resource_group, vault
        self.vault = self.service.create_vault(subscription_id, resource_group, vault, location=location)
        self.hyperv = HyperVFabric(self.sim, policy=hyperv_policy)
        self.sites: dict[Role, Site] = {role: build_site(self.sim, self.hyperv, self.spec, role) for role in Role}
        self._wiring = (SocketWiring if sockets else InProcessWiring)(self.service, proxy)
        self.vmware: VMwareSite | None = None  # ``add_vmware_site``
        try:
            self.providers: dict[Role, AsrProvider] = {role: self._wiring.install(site.vmm)
                                                       for role, site in self.sites.items()}
            if register:
                self.register_providers()
        except BaseException:
            self.close()
            raise

    # -- the parts ------------------------------------------------------------------------------

    @property
    def seed(self) -> int:
        return self.sim.seed

    @property
    def primary(self) -> Site:
        return self.sites[Role.primary]

    @property
    def recovery(self) -> Site:
        return self.sites[Role.recovery]

    @property
    def lock(self) -> Any:
        """The lab's lock (the service's): whoever moves time or touches the lab from a thread holds it."""
        return self.service.lock

    @property
    def history(self) -> History:
        return self.sim.history

    @property
    def faults(self) -> FaultPlan:
        return self.sim.faults

    @property
    def network(self) -> Network:
        return self.sim.network

    @property
    def now(self) -> float:
        return self.sim.clock.now

    @property
    def proxy(self) -> Any:
        """The Providers' proxy: a ``WebProxy`` node in-process, a ``ConnectProxy`` in socket mode, or None."""
        return self._wiring.proxy

    @property
    def channel_server(self) -> Any:
        """The ``ChannelServer`` in socket mode (None in-process)."""
        return getattr(self._wiring, "server", None)

    def fabric_names(self) -> list[str]:
        """The ARM names of the registered VMM fabrics, primary first."""
        return [p.registration.fabric_name for p in self.providers.values() if p.registration is not None]

    def cloud_names(self, *, disaster_recovery: bool | None = True) -> list[str]:
        """The lab's cloud names (by default those flagged for DR: what ASR sees as containers)."""
        return [cloud.name for cloud in self.spec.clouds
                if disaster_recovery is None or cloud.disaster_recovery == disaster_recovery]

    # -- what recovery-plan actions run -----------------------------------------------------------

    def put_script(self, path: str, body: ScriptBody | None = None, *, text: str = "",
                   roles: Sequence[Role] = (Role.primary, Role.recovery)) -> None:
        """Place a recovery-plan script at ``path`` (relative to the library share root, e.g.
        ``\\RPScripts\\pre.ps1``) on the default library share of each site's VMM server (the docs: "place
        it on both source and target VMM servers"); ``body``: a callable taking a ``ScriptContext``, or
        a ``DeclaredScript``; ``text``: the file's text."""
        with self.lock:
            for role in roles:
                self.sites[role].vmm.default_library_share.write_script(path, text, body=body)

    def automation_account(self, name: str = "drlab-automation") -> AutomationAccount:
        """The Azure Automation account ``name`` of the vault's subscription and resource group (made on
        first use): ``register(runbook, body)`` publishes a runbook and answers its ``runbookId``."""
        try:
            return self.service.automation.account(self.subscription_id, self.resource_group, name)
        except ValueError as error:
            raise LabConfigError(str(error)) from None

    # -- Providers ------------------------------------------------------------------------------

    def registration_key(self) -> str:
        """A fresh registration key file for the lab's vault (valid 5 virtual days)."""
        return self.service.channel.registration_key(self.vault).dumps()

    def register_providers(self) -> None:
        """Register every Provider not yet registered (each then syncs its inventory at once), and let
        what is in flight (closing connections) settle."""
        with self.lock:
            for provider in self.providers.values():
                if provider.registration is not None:
                    continue
                try:
                    provider.register(self.registration_key())
                except (ChannelFailure, RegistrationRefused) as failure:
                    raise LabStartError(f"the Provider of {provider.vmm.name} could not register to vault "
                                        f"{self.vault_name!r}: {failure}") from failure
            self.sim.run_until_idle()

    # -- topology at run time -------------------------------------------------------------------

    def add_host(self, role: Role | str = Role.primary, *, sync: bool = SYNC_AFTER_TOPOLOGY_CHANGE) -> HyperVHost:
        """``Add-SCVMHost`` now: the site's next Hyper-V host (``hv-ny-3``…), in every cloud of the site."""
        with self.lock:
            site = self.sites[_role(role)]
            host = add_host(self.hyperv, site, self.spec)
            self._topology_changed(site.role, sync)
            return host

    def add_cloud(self, cloud: CloudSpec, *, sync: bool = SYNC_AFTER_TOPOLOGY_CHANGE) -> Cloud:
        """``New-SCCloud`` (and ``Set-SCCloud``) now: ``cloud`` over its site's hosts; flagged for DR, ASR
        sees it as a protection container once the site's Provider syncs."""
        with self.lock:
            spec = self._respec(clouds=(*self.spec.clouds, cloud))
            made = add_cloud(self.sites[cloud.site], spec, cloud)
            self.spec = spec
            self._topology_changed(cloud.site, sync)
            return made

    def add_vm(self, vm: VMSpec, *, sync: bool = SYNC_AFTER_TOPOLOGY_CHANGE) -> VirtualMachine:
        """``New-SCVirtualMachine`` now: ``vm`` placed in its cloud and started with its workload; in a DR
        cloud, ASR lists it as a protectable item once the site's Provider syncs."""
        with self.lock:
            spec = self._respec(vms=(*(self.spec.vms or ()), vm))
            role = spec.cloud(vm.cloud).site
            made = add_vm(self.sites[role], spec, vm)
            self.spec = spec
            self._topology_changed(role, sync)
            return made

    def _respec(self, **changes: Any) -> LabSpec:
        """The lab's spec with ``changes``, checked as a new lab's would be (``LabConfigError``)."""
        return dataclasses.replace(self.spec, **changes)

    def _topology_changed(self, role: Role, sync: bool) -> None:
        provider = self.providers[role]
        if sync and provider.registration is not None:
            provider.poll()

    def add_vmware_site(self, spec: VMwareSiteSpec | None = None, *, register: bool = True) -> VMwareSite:
        """Add a VMware site (``VMwareSiteSpec``; the InMage scenario) beside the VMM sites, its
        configuration server registered to the vault and its inventory synced (unless ``register``
        is False). In-process only: socket mode serves the VMM Providers alone."""
        if spec is not None and not isinstance(spec, VMwareSiteSpec):
            raise LabConfigError(f"spec must be a VMwareSiteSpec or None, got {spec!r}")
        if self.channel_server is not None:
            raise LabConfigError("a VMware site is not available in socket mode (sockets=True)")
        if self.vmware is not None:
            raise LabConfigError("the lab has a VMware site already")
        with self.lock:
            site = build_vmware_site(self.sim, spec or VMwareSiteSpec(), [self.service.channel.public_root])
            self.vmware = site
            if register:
                try:
                    site.agent.register(self.registration_key())
                except (ChannelFailure, RegistrationRefused) as failure:
                    raise LabStartError(f"the configuration server {site.configuration_server.name} could not "
                                        f"register to vault {self.vault_name!r}: {failure}") from failure
                self.sim.run_until_idle()
            return site

    # -- time -----------------------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Run everything due in the next ``seconds`` of virtual time."""
        with self.lock:
            self.sim.advance(seconds)

    def run_until(self, until: float | datetime | Callable[[], bool], *, within: float | None = None) -> None:
        """Run to an instant, or until ``until()`` holds (bounded by ``within`` virtual seconds)."""
        with self.lock:
            self.sim.run_until(until, within=within)

    def run_until_idle(self) -> int:
        """Run until only periodic work (polls, heartbeats) is left; the number of events run."""
        with self.lock:
            return self.sim.run_until_idle()

    # -- clients --------------------------------------------------------------------------------

    def azure_client(self, **kwargs: Any) -> SiteRecoveryManagementClient:
        """A ``SiteRecoveryManagementClient`` on the in-process transport (its sleeps advance the lab)."""
        return site_recovery_client(self.service, self.subscription_id, **kwargs)

    def azure_aio_client(self, **kwargs: Any) -> AioSiteRecoveryManagementClient:
        """The async ``SiteRecoveryManagementClient`` (``….aio``) on the in-process async transport."""
        from .azure_aio import async_site_recovery_client

        return async_site_recovery_client(self.service, self.subscription_id, **kwargs)

    def vault_client(self, **kwargs: Any) -> RecoveryServicesClient:
        """A ``RecoveryServicesClient`` (vaults) on the in-process transport."""
        return recovery_services_client(self.service, self.subscription_id, **kwargs)

    def discovered(self) -> dict[str, dict[str, list[str]]]:
        """What ASR discovered, through the SDK: {fabric: {container: [protectable items]}} by friendly names."""
        return discovered(self.azure_client(), self.resource_group, self.vault_name)

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop what runs outside the lab (socket mode's server and proxy); idempotent."""
        wiring = getattr(self, "_wiring", None)
        if wiring is not None:
            wiring.close()

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "sockets" if self.channel_server is not None else "in-process"
        clouds = self.cloud_names(disaster_recovery=None)
        return (f"Lab(seed={self.seed}, hosts_per_site={self.spec.hosts_per_site}, clouds={clouds}, "
                f"vms={len(self.spec.vms or ())}, {mode}, t={self.now:g})")
