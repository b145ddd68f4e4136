"""Host groups (§4: a tree under "All Hosts"), Run As accounts (§5.2) and the library (§5.7)."""

from __future__ import annotations

import pytest

from scvmm_fake import (
    DRA_PROXY_ACCOUNT_NAME,
    ROOT_HOST_GROUP_NAME,
    Credential,
    DuplicateName,
    InvalidParameter,
    ObjectInUse,
    ObjectNotFound,
    VMMServer,
)


def test_host_groups_form_a_tree_with_paths_under_all_hosts(vmm: VMMServer) -> None:
    assert vmm.root_host_group.name == ROOT_HOST_GROUP_NAME == "All Hosts"
    dc = vmm.new_sc_vm_host_group("New Datacenter")
    nested = vmm.new_sc_vm_host_group("nested01", parent_host_group=dc)
    assert dc.parent_host_group is vmm.root_host_group
    assert nested.path == "All Hosts\\New Datacenter\\nested01"
    assert vmm.root_host_group.child_host_groups == [dc] and dc.child_host_groups == [nested]
    assert nested.is_within(dc) and not dc.is_within(nested) and dc.related_to(nested)
    assert vmm.get_sc_vm_host_group("NESTED01") == [nested]


def test_sibling_names_are_unique_but_cousins_may_share_a_name(vmm: VMMServer, unchanged) -> None:
    ny = vmm.new_sc_vm_host_group("NY")
    chicago = vmm.new_sc_vm_host_group("Chicago")
    vmm.new_sc_vm_host_group("Prod", parent_host_group=ny)
    vmm.new_sc_vm_host_group("Prod", parent_host_group=chicago)
    with unchanged(DuplicateName):
        vmm.new_sc_vm_host_group("prod", parent_host_group=ny)
    with unchanged(InvalidParameter):
        vmm.new_sc_vm_host_group("a\\b")


def test_objects_of_another_server_are_refused(vmm: VMMServer, unchanged) -> None:
    other = VMMServer(vmm.sim, "vmm-chi", fqdn="vmm-chi.contoso.com")
    foreign = other.new_sc_vm_host_group("Foreign")
    with unchanged(ObjectNotFound):
        vmm.new_sc_vm_host_group("Child", parent_host_group=foreign)
    with unchanged(ObjectNotFound):
        vmm.new_sc_cloud("Gold", vm_host_group=[foreign])


def test_removing_host_groups(vmm: VMMServer, fabric, unchanged) -> None:
    with unchanged(InvalidParameter):
        vmm.remove_sc_vm_host_group(vmm.root_host_group)
    with unchanged(ObjectInUse):  # holds Rack1 and Rack2
        vmm.remove_sc_vm_host_group(fabric.ny)
    vmm.new_sc_cloud("Gold", vm_host_group=[fabric.rack1])
    with unchanged(ObjectInUse):  # used by the cloud
        vmm.remove_sc_vm_host_group(fabric.rack1)
    vmm.remove_sc_vm_host_group(fabric.rack2)
    assert fabric.ny.child_host_groups == [fabric.rack1]
    assert vmm.get_sc_vm_host_group("Rack2") == []
    with unchanged(ObjectNotFound):
        vmm.remove_sc_vm_host_group(fabric.rack2)


def test_run_as_accounts_keep_credentials_out_of_the_history(vmm: VMMServer, unchanged) -> None:
    proxy = vmm.new_sc_run_as_account(DRA_PROXY_ACCOUNT_NAME, credential=Credential("proxyuser", "p@ss-1"))
    assert vmm.get_sc_run_as_account("draproxyaccount") == [proxy] and proxy.user_name == "proxyuser"
    with unchanged(DuplicateName):
        vmm.new_sc_run_as_account("DRAProxyAccount", credential=Credential("other", "x"))
    with unchanged(InvalidParameter):
        vmm.new_sc_run_as_account("NoUser", credential=Credential("", "x"))
    vmm.set_sc_run_as_account(proxy, credential=Credential("proxyuser", "p@ss-2"), description="rotated")
    assert proxy.credential.password == "p@ss-2" and proxy.description == "rotated"
    assert "p@ss" not in vmm.sim.history.dumps() and "p@ss" not in repr(proxy)
    vmm.remove_sc_run_as_account(proxy)
    assert vmm.get_sc_run_as_account() == []


def test_library_scripts_are_found_by_path_relative_to_the_share_root(vmm: VMMServer, unchanged) -> None:
    share = vmm.default_library_share
    assert share.name == "MSSCVMMLibrary" and share.path == "\\\\vmm-ny.contoso.com\\MSSCVMMLibrary"
    share.write_script("\\RPScripts\\RPScript.PS1", "Write-Output 'failover'")
    script = vmm.find_library_script("rpscripts/rpscript.ps1")
    assert script.path == "\\RPScripts\\RPScript.PS1" and script.text == "Write-Output 'failover'"
    with pytest.raises(ObjectNotFound):
        vmm.find_library_script("\\RPScripts\\Other.ps1")
    with pytest.raises(InvalidParameter):
        vmm.find_library_script("\\RPScripts\\..\\RPScript.PS1")
    extra = vmm.add_sc_library_share("\\\\lib01.contoso.com\\DRScripts")
    extra.write_script("post.ps1", "")
    extra.write_script("Pre/Step1.ps1", "")
    assert [s.path for s in extra.scripts] == ["\\post.ps1", "\\Pre\\Step1.ps1"]
    assert vmm.find_library_script("\\post.ps1", library_share=extra).path == "\\post.ps1"
    with pytest.raises(ObjectNotFound):
        vmm.find_library_script("\\post.ps1")  # not on the default share
    with unchanged(DuplicateName):
        vmm.add_sc_library_share("\\\\LIB01.contoso.com\\drscripts")
    with unchanged(InvalidParameter):
        vmm.add_sc_library_share("C:\\Library")
    assert [s.name for s in vmm.get_sc_library_share()] == ["DRScripts", "MSSCVMMLibrary"]
