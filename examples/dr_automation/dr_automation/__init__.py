"""dr_automation — a site-to-site DR runbook for Hyper-V clouds managed by VMM, through Azure Site
Recovery's SDK: pair the clouds, map the networks, protect every VM tagged for DR, build the
recovery plan in boot order and drive it (test failover and cleanup, planned failover and commit).

Every SDK call goes through ``Retry``, which retries what is transient (throttling, a server error,
a lost connection, a job failure whose code the configuration names transient) with back-off.
"""

from .config import DrConfig
from .plan import PlanDriver, build_plan
from .protect import map_networks, pair_clouds, protect_tagged, wait_until_protected
from .retry import Retry, TransientError
from .vault import Vault

__all__ = ["DrConfig", "Vault", "Retry", "TransientError", "pair_clouds", "map_networks", "protect_tagged",
           "wait_until_protected", "build_plan", "PlanDriver"]
