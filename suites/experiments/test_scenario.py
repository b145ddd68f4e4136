"""The drill's scenario: VMs cut into boot groups as even as can be, in their natural order, and a
scenario that cannot be built refused before any lab exists."""

from __future__ import annotations

import pytest

from drlab import LabConfigError
from drlab.experiments.scenario import Scenario, _natural


def test_vms_are_cut_into_even_boot_groups_first_ones_larger() -> None:
    vms = sorted([f"Gold-VM{i}" for i in range(1, 8)], key=_natural)
    assert vms[-2:] == ["Gold-VM6", "Gold-VM7"] and sorted(["VM10", "VM9"], key=_natural) == ["VM9", "VM10"]
    assert Scenario(groups=3).boot_groups(vms) == [vms[0:3], vms[3:5], vms[5:7]]
    assert Scenario(groups=4).boot_groups(vms[:2]) == [vms[:1], vms[1:2]]  # never an empty group


@pytest.mark.parametrize("field", ["vms", "groups", "hosts_per_site"])
def test_a_scenario_needs_whole_positive_counts(field: str) -> None:
    with pytest.raises(LabConfigError, match=f"{field} must be an int >= 1"):
        Scenario(**{field: 0})
