"""The ASR emulator's error catalogue: every coded error it writes, built in one place.

An ``Entry`` holds a code with its message, possible causes and recommended action (the fields of
``serviceErrorDetails``); ``failure(**names)`` makes the ``JobFailure`` a job task raises and
``refusal(kind, **names)`` the ARM error a request is refused with, each with ``{name}`` fields
filled in. Codes are numeric strings, as the real service's (asr-orchestration.md §A.6). Which
code a refusal carries is **policy** where the reference names none; each entry says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ArmError, BadRequest, Conflict
from .models.jobs import JobFailure

__all__ = [
    "Entry", "POLICY_EXISTS", "POLICY_NOT_FOUND", "PROVIDER_NOT_RESPONDING", "PROVIDER_REMOVE_BLOCKED",
    "CLOUD_ALREADY_PAIRED", "PAIRING_SAME_CLOUD", "PAIRING_SAME_FABRIC", "POLICY_WRONG_PROVIDER",
    "PAIRING_HAS_PROTECTED_ITEMS", "INMAGE_POLICY_ONLY", "INMAGE_PAIRING_TARGET", "NO_PROVIDER", "MAPPING_EXISTS", "NETWORK_ALREADY_MAPPED",
    "NETWORK_MAPPING_SAME_FABRIC", "RECOVERY_FABRIC_MISMATCH",
    "CLOUD_NOT_PAIRED", "ALREADY_PROTECTED", "PROTECTION_POLICY_MISMATCH", "ITEM_NAME_MISMATCH",
    "OPERATION_NOT_ALLOWED", "OPERATION_IN_PROGRESS", "PAIRING_HOST_DEFECTS", "PAIRING_HOST_DEFECT_OTHER",
    "PLAN_EXISTS", "PLAN_ITEM_NOT_PROTECTED", "PLAN_ITEM_OTHER_FABRICS", "PLAN_ITEM_TWICE", "PLAN_TOO_MANY_GROUPS",
    "PLAN_TOO_MANY_ITEMS", "PLAN_SAME_FABRIC", "PLAN_BUSY", "PLAN_OPERATION_NOT_ALLOWED", "PLAN_DIRECTION_MIXED",
    "PLAN_VM_FAILED", "PLAN_HOLD_EXPIRED", "PLAN_STOPPED", "PLAN_RUNBOOK_NOT_FOUND", "PLAN_RUNBOOK_FAILED",
    "PLAN_RUNBOOK_TIMED_OUT", "PLAN_RUNBOOK_NOT_SUPPORTED", "PLAN_ITEMS_MIXED", "VCENTER_EXISTS", "NOT_A_CONFIGURATION_SERVER",
    "VCENTER_IN_USE",
]


@dataclass(frozen=True)
class Entry:
    """A coded error; ``summary`` is the short title a health error shows (``summaryMessage``)."""

    code: str
    message: str
    possible_causes: str = ""
    recommended_action: str = ""
    kind: type[ArmError] = BadRequest
    summary: str = ""

    def failure(self, **names: object) -> JobFailure:
        return JobFailure(self.code, self.message.format(**names), self.possible_causes.format(**names),
                          self.recommended_action.format(**names))

    def refusal(self, *, target: str | None = None, **names: object) -> ArmError:
        message = self.message.format(**names)
        return self.kind(message, code=self.code, target=target, details=[{
            "code": self.code, "message": message, "possibleCauses": self.possible_causes.format(**names),
            "recommendedAction": self.recommended_action.format(**names)}])


# -- policies (policy: a PUT of an existing name fails its job's preflight with the real "Replication policy
#    creation failed." code 150261 [TF7479], the cause named; ARM PUT would replace, but ASR policy creation
#    is a job and this is the only recorded policy-creation code. 150262: a policy deleted between the request
#    and its job's task.)

POLICY_EXISTS = Entry(
    "150261", "Replication policy creation failed.", "A replication policy named '{name}' already exists in the vault.",
    "Use a different name, or update the existing policy.")
POLICY_NOT_FOUND = Entry(
    "150262", "Replication policy operation failed.", "The replication policy '{name}' no longer exists in the vault.",
    "Refresh the list of policies and retry.")

# -- the Provider channel (policy: the numbers are the emulator's own, numeric strings as the real job errors)

PROVIDER_NOT_RESPONDING = Entry(
    "150400", "The operation timed out waiting for the Azure Site Recovery Provider.",
    "The Provider on VMM server '{server}' did not report within {seconds:g} seconds: it may be stopped, or unable "
    "to reach Site Recovery.",
    "Check that the VMM service runs and the server reaches Site Recovery over HTTPS 443, then retry.")
#: ``remove`` (not ``purge``) of a Provider or fabric while a cloud of it is paired or a VM of it is
#: protected (the portal refuses it; the exact code is not documented).
PROVIDER_REMOVE_BLOCKED = Entry(
    "150401", "The server cannot be removed while it has paired clouds or protected virtual machines.",
    "Fabric '{fabric}' still holds {what}.", "Remove the cloud pairings and disable protection first, or purge the server.")

# -- cloud pairing (policy: codes and wording are the emulator's; the rules are facts, hyperv-scvmm.md §5.3)

CLOUD_ALREADY_PAIRED = Entry(
    "150001", "The cloud '{cloud}' is already paired.",
    "A cloud can belong to a single cloud pair only, as a primary or as a recovery cloud (it is in '{mapping}').",
    "Remove the existing pairing before pairing the cloud again.", Conflict)
PAIRING_SAME_CLOUD = Entry(
    "150002", "A cloud cannot be paired with itself.",
    "The target protection container '{cloud}' is the source container.", "Choose a cloud of another VMM server.")
PAIRING_SAME_FABRIC = Entry(
    "150003", "The clouds '{first}' and '{second}' are managed by the same VMM server.",
    "asr-harness pairs clouds of two VMM servers (site to site) only.", "Choose a recovery cloud of another VMM server.")
POLICY_WRONG_PROVIDER = Entry(
    "150004", "The replication policy '{policy}' cannot be used to pair VMM clouds.",
    "The policy's replication provider is '{provider}'; VMM-to-VMM pairing needs HyperVReplica2012R2 or "
    "HyperVReplica2012.", "Choose a Hyper-V Replica policy.")
#: Policy (the code; vmware_fake/REFERENCE.md §6-§7: a configuration server's machines replicate with InMage).
INMAGE_POLICY_ONLY = Entry(
    "150020", "The replication policy '{policy}' cannot be used for the configuration server '{server}'.",
    "The policy's replication provider is '{provider}'; VMware VMs and physical servers to a secondary site "
    "replicate with InMage.", "Choose an InMage policy.")
#: Policy ``INMAGE_ASSOCIATE_SCENARIO`` (the code and the rule: one configuration server manages both sites).
INMAGE_PAIRING_TARGET = Entry(
    "150021", "The container '{cloud}' of a configuration server is paired with itself.",
    "The target protection container '{other}' is not the source container: the configuration server '{server}' "
    "manages both sites.", "Set targetProtectionContainerId to the source container's id.")
PAIRING_HAS_PROTECTED_ITEMS = Entry(
    "150005", "The pairing '{mapping}' cannot be removed while it protects virtual machines.",
    "{count} virtual machines of the cloud '{cloud}' are protected with it.", "Disable protection of them first.",
    Conflict)
NO_PROVIDER = Entry(
    "150006", "No Azure Site Recovery Provider is registered for the VMM server '{fabric}'.",
    "The fabric has no registered Provider to carry out the operation.", "Register the VMM server again.")
MAPPING_EXISTS = Entry(
    "150007", "A mapping named '{name}' already exists.", "", "Use another name, or remove the mapping first.", Conflict)

# -- network mapping (policy, as above; the rules are facts, hyperv-scvmm.md §5.5)

NETWORK_ALREADY_MAPPED = Entry(
    "150101", "The VM network '{network}' is already mapped.",
    "It is mapped by '{mapping}'; a source VM network maps to one recovery network.",
    "Update or remove the existing mapping.", Conflict)
NETWORK_MAPPING_SAME_FABRIC = Entry(
    "150102", "The VM networks '{first}' and '{second}' are on the same VMM server.",
    "asr-harness maps VM networks of two VMM servers (site to site) only.", "Choose a network of the recovery VMM server.")
RECOVERY_FABRIC_MISMATCH = Entry(
    "150103", "The recovery network '{network}' is not on the recovery fabric '{fabric}'.",
    "'properties.recoveryFabricName' and 'properties.recoveryNetworkId' name different fabrics.",
    "Send the name of the fabric that holds the recovery network.")

# -- protection (policy, as above; the rules are facts, hyperv-scvmm.md §5.4)

CLOUD_NOT_PAIRED = Entry(
    "150201", "The virtual machine '{vm}' cannot be protected: its cloud '{cloud}' is not paired.",
    "Protection replicates a VM to the recovery cloud of its cloud's pairing; '{cloud}' has none as a primary.",
    "Pair the cloud with a recovery cloud first.")
ALREADY_PROTECTED = Entry(
    "150202", "The virtual machine '{vm}' is already protected.",
    "It is protected as '{item}'.", "Disable protection first to protect it again.", Conflict)
PROTECTION_POLICY_MISMATCH = Entry(
    "150203", "The replication policy '{policy}' is not the policy of the cloud pairing.",
    "The cloud '{cloud}' is paired with the policy '{paired}'.", "Use the pairing's policy.")
ITEM_NAME_MISMATCH = Entry(
    "150204", "The protected item must be named after the protectable item it protects.",
    "'properties.protectableItemId' names '{item}', the request names '{name}'.",
    "Use the protectable item's name.")
OPERATION_NOT_ALLOWED = Entry(
    "150205", "The operation '{operation}' is not allowed on '{vm}' in its current state.",
    "The protected item is '{state}'; allowed operations: {allowed}.", "Wait for the running job, or run an allowed "
    "operation.", Conflict)

#: Fact (asr-orchestration.md §A.4.5): what the job of an operation issued while another runs on the
#: same item fails with.
OPERATION_IN_PROGRESS = Entry(
    "532", "The operation couldn't be completed.", "An operation {vm} ({operation}) is in progress.",
    "Either wait for the operation in progress to complete, or cancel it and then retry the operation that couldn't "
    "complete. For details see http://aka.ms/asr-err-inprogress. ")

# -- recovery plans (policy: codes and wording are the emulator's; the rules are facts, hyperv-scvmm.md §5.7)

PLAN_EXISTS = Entry(
    "150601", "A recovery plan named '{name}' already exists.", "", "Use another name, or update the plan.", Conflict)
PLAN_ITEM_NOT_PROTECTED = Entry(
    "150602", "The item '{item}' cannot be added to the recovery plan: it is not a protected virtual machine.",
    "{why}", "Enable protection of the virtual machine and wait for its initial replication first.")
PLAN_ITEM_OTHER_FABRICS = Entry(
    "150603", "The virtual machine '{vm}' is not protected between the recovery plan's fabrics.",
    "It is protected from '{primary}' to '{recovery}'; a plan holds machines with the same source and target.",
    "Create another recovery plan for it.")
PLAN_ITEM_TWICE = Entry(
    "150604", "The virtual machine '{vm}' is in more than one group of the recovery plan.",
    "A machine belongs to only one group per plan.", "Keep it in one group.")
PLAN_TOO_MANY_GROUPS = Entry(
    "150605", "A recovery plan can have at most {limit} boot groups.", "The request has {count}.",
    "Merge groups.")
PLAN_TOO_MANY_ITEMS = Entry(
    "150606", "A recovery plan can hold at most {limit} protected items.", "The request has {count}.",
    "Split the machines over several plans.")
PLAN_SAME_FABRIC = Entry(
    "150607", "The primary and recovery fabrics of a recovery plan must differ.", "Both are '{fabric}'.",
    "Choose the recovery site's VMM server as the recovery fabric.")
PLAN_BUSY = Entry(
    "150608", "The recovery plan '{name}' cannot be changed while its job '{job}' runs.", "", "Wait for the job to end.",
    Conflict)
PLAN_OPERATION_NOT_ALLOWED = Entry(
    "150609", "The operation '{operation}' is not allowed on the recovery plan '{name}' now.",
    "The plan allows: {allowed}.", "Wait for the running job, or run an allowed operation.", Conflict)
PLAN_DIRECTION_MIXED = Entry(
    "150610", "The recovery plan '{name}' cannot run {direction}: '{vm}' is active at the {location} site.",
    "Every machine of a plan fails over in the direction the request gives.",
    "Fail the machines back to the same site first, or give the direction they all run.")
#: What a plan's VM task fails with when its virtual machine's own job failed (that job's error kept
#: as the possible cause).
PLAN_VM_FAILED = Entry(
    "150611", "The virtual machine '{vm}' could not be failed over in the recovery plan.",
    "Its job '{job}' failed: {cause}", "See that job's errors, fix the cause and run the plan again.")
PLAN_HOLD_EXPIRED = Entry(
    "150612", "The recovery plan did not release the virtual machine '{vm}' in time.",
    "The plan job held it for {seconds:g} seconds.", "Run the recovery plan again.")
PLAN_STOPPED = Entry(
    "150613", "The recovery plan job stopped before the virtual machine '{vm}' was started.",
    "The plan job '{job}' failed or was cancelled.", "Fix the plan's error and run it again.")

# -- recovery-plan runbook actions (policy: codes and wording are the emulator's; a failing action stops
#    a planned failover and not an unplanned one, hyperv-scvmm.md §5.7). A failing script's task carries
#    the Provider's error (``providerErrorDetails``), as every Provider failure does.

PLAN_RUNBOOK_NOT_FOUND = Entry(
    "150614", "The runbook of the recovery plan action '{action}' was not found.",
    "No Automation account of the vault's subscription holds the runbook '{runbook}'.",
    "Publish the runbook in an Automation account of the vault's subscription, or correct the action's runbookId.")
PLAN_RUNBOOK_FAILED = Entry(
    "150615", "The runbook '{runbook}' of the recovery plan action '{action}' failed.",
    "Its automation job '{job}' ended {status}: {cause}", "See the runbook's job output, fix it and run the plan again.")
PLAN_RUNBOOK_TIMED_OUT = Entry(
    "150616", "The runbook '{runbook}' of the recovery plan action '{action}' did not finish in time.",
    "Its automation job '{job}' ran for more than {seconds:g} seconds and was stopped.",
    "Make the runbook finish sooner, then run the plan again.")
#: Policy ``PLAN_RUNBOOKS_RUN``: what a ``strict`` service answers a plan with a runbook action.
PLAN_RUNBOOK_NOT_SUPPORTED = Entry(
    "150617", "Azure Automation runbook actions are supported only for failover to or from Azure.",
    "The recovery plan action '{action}' at '{where}' is a runbook; this plan fails over between two VMM sites.",
    "Use a VMM script or a manual action instead.")
#: Fact (hyperv-scvmm.md §5.7): "VMware and Hyper-V-with-VMM VMs can't be mixed" in a plan. Policy: the code.
PLAN_ITEMS_MIXED = Entry(
    "150618", "The machine '{vm}' cannot be in this recovery plan: VMware VMs and physical servers can't be in one "
    "plan with Hyper-V VMs of VMM clouds.",
    "A plan holds machines with the same source and target: '{vm}' is {kind}, the plan's fabrics are {fabrics}.",
    "Create a recovery plan of its own kind for it.")

# -- vCenters of a configuration server (policy: codes and wording are the emulator's; the recorded job is
#    vmware_fake/REFERENCE.md §5)

VCENTER_EXISTS = Entry(
    "150701", "A vCenter server named '{name}' is already added to the configuration server '{server}'.", "",
    "Use another name, or remove that vCenter server first.", Conflict)
NOT_A_CONFIGURATION_SERVER = Entry(
    "150702", "The fabric '{fabric}' is not a configuration server.",
    "vCenter servers are added to the configuration server of a VMware fabric; '{fabric}' is a {kind} fabric.",
    "Choose the fabric of a configuration server.")
#: Removing a vCenter a protected machine or a master target of the configuration server is a VM of.
VCENTER_IN_USE = Entry(
    "150703", "The vCenter server '{name}' cannot be removed from the configuration server '{server}'.",
    "These are virtual machines of it: {users}.",
    "Disable protection of its virtual machines and move the master targets off it first.", Conflict)

# -- health errors of a cloud pairing: one per host defect its VMM server reports (PROTOCOL.md §5.2
#    ``pairings``). Policy: codes and wording are the emulator's; no pairing health error was recorded.
#    The requirements behind them are facts (hyperv-scvmm.md §1.1-1.3, §5.3). Fields: {host} the
#    host's FQDN, {cloud} its cloud, {vmm} its VMM server, {detail} what VMM said.


def _host_defect(code: str, summary: str, message: str, cause: str, action: str) -> Entry:
    return Entry(code, message, f"{cause} VMM server '{{vmm}}' reports: {{detail}}.", action, summary=summary)


_RECONFIGURE = ("Correct it on the host, or remove and pair the clouds again so that VMM configures every host of "
                "both clouds.")
_CERTIFICATE = ("Install a certificate for '{host}' from the site's Replica CA with Server and Client Authentication "
                "and configure it for Hyper-V Replica; or let VMM configure the host again.")

PAIRING_HOST_DEFECTS: dict[str, Entry] = {
    "NotReplicaServer": _host_defect(
        "150501", "Host is not a Replica server", "The host '{host}' of cloud '{cloud}' is not enabled as a Replica "
        "server.", "Hyper-V Replica was disabled on the host, or the host was never configured.", _RECONFIGURE),
    "AuthenticationType": _host_defect(
        "150502", "Replica authentication differs from the policy", "The host '{host}' of cloud '{cloud}' does not "
        "accept the replication policy's authentication type.", "The Replica server settings were changed.",
        _RECONFIGURE),
    "Port": _host_defect(
        "150503", "Replica port differs from the policy", "The host '{host}' of cloud '{cloud}' does not listen on the "
        "replication policy's port.", "The Replica server settings were changed.", _RECONFIGURE),
    "FirewallClosed": _host_defect(
        "150504", "Replica firewall rule closed", "The firewall of host '{host}' of cloud '{cloud}' blocks the Hyper-V "
        "Replica listener.", "The Hyper-V Replica firewall rule was disabled or changed.",
        "Enable the Hyper-V Replica listener firewall rule on the policy's port."),
    "CertificateMissing": _host_defect(
        "150505", "Host certificate missing", "The host '{host}' of cloud '{cloud}' has no usable certificate for "
        "Hyper-V Replica.", "The configured certificate, or its private key, is not in the LocalMachine\\My store.",
        _CERTIFICATE),
    "CertificateBrokenChain": _host_defect(
        "150506", "Host certificate chain broken", "The certificate of host '{host}' of cloud '{cloud}' does not "
        "chain to the site's Replica CA.", "The certificate or an intermediate is malformed or was not issued by the "
        "CA.", _CERTIFICATE),
    "CertificateUntrustedRoot": _host_defect(
        "150507", "Host certificate from another CA", "The certificate of host '{host}' of cloud '{cloud}' was not "
        "issued by the site's Replica CA.", "A certificate of another CA was configured; the peer cloud's hosts do "
        "not trust it.", _CERTIFICATE),
    "CertificateRevoked": _host_defect(
        "150508", "Host certificate revoked", "The certificate of host '{host}' of cloud '{cloud}' has been revoked.",
        "The site's Replica CA revoked the certificate; hosts that check revocation refuse it.", _CERTIFICATE),
    "CertificateNotYetValid": _host_defect(
        "150509", "Host certificate not yet valid", "The certificate of host '{host}' of cloud '{cloud}' is not valid "
        "yet.", "The certificate's validity starts later.", _CERTIFICATE),
    "CertificateExpired": _host_defect(
        "150510", "Host certificate expired", "The certificate of host '{host}' of cloud '{cloud}' has expired.",
        "The configured certificate is past its expiry date.", _CERTIFICATE),
    "CertificateWeakKey": _host_defect(
        "150511", "Host certificate key too weak", "The certificate of host '{host}' of cloud '{cloud}' has a key "
        "that is too weak.", "The certificate's key is shorter than Hyper-V Replica accepts.", _CERTIFICATE),
    "CertificateWrongEku": _host_defect(
        "150512", "Host certificate usage wrong", "The certificate of host '{host}' of cloud '{cloud}' is not valid "
        "for both server and client authentication.", "Hyper-V Replica needs the Server Authentication and Client "
        "Authentication enhanced key usages.", _CERTIFICATE),
    "CertificateNameMismatch": _host_defect(
        "150513", "Host certificate name mismatch", "The certificate of host '{host}' of cloud '{cloud}' is not issued "
        "to the host's name.", "Neither the subject nor a subject alternative name of the certificate is the host's "
        "FQDN.", _CERTIFICATE),
    "PeerRootNotTrusted": _host_defect(
        "150514", "Peer site not trusted", "The host '{host}' of cloud '{cloud}' does not trust the paired site's "
        "Replica CA.", "The peer site's root certificate was removed from Trusted Root Certification Authorities.",
        "Import the paired site's root certificate into the host's Trusted Root store; or let VMM configure the host "
        "again."),
    "RevocationCheckUnanswerable": _host_defect(
        "150515", "Certificate revocation cannot be checked", "The host '{host}' of cloud '{cloud}' checks certificate "
        "revocation, which the paired site's certificates do not support.", "DisableCertRevocationCheck was set back "
        "to 0 and no current revocation list of the paired site's CA is available.",
        "Set DisableCertRevocationCheck to 1 on the host, or make the paired site's CRL available to it."),
    "NoDomain": _host_defect(
        "150516", "Host not in a domain", "The host '{host}' of cloud '{cloud}' cannot use Kerberos authentication.",
        "The host is not joined to an Active Directory domain.", "Join the host to the domain, or use a "
        "certificate-based replication policy."),
    "PeerHostsNotAuthorized": _host_defect(
        "150517", "Peer hosts not authorized", "The host '{host}' of cloud '{cloud}' does not authorize the paired "
        "cloud's hosts to replicate to it.", "Replica authorization entries were removed.", _RECONFIGURE),
}
#: A defect kind this catalogue does not know (a newer VMM), shown with VMM's own words.
PAIRING_HOST_DEFECT_OTHER = _host_defect(
    "150599", "Host configuration problem", "The host '{host}' of cloud '{cloud}' is not configured as the pairing "
    "needs.", "The host's configuration differs from what the pairing set up.", _RECONFIGURE)
