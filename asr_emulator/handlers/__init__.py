"""The wire's handlers, one module per resource family; importing them fills ``HANDLERS``."""

from ..routing.registry import HANDLERS
from . import (
    cancel, events, fabrics, failover, jobs, mappings, policies, protection, readonly, recovery_plans, recovery_points,
    repair, update, vaults, vcenters,
)

__all__ = ["HANDLERS", "cancel", "events", "fabrics", "failover", "jobs", "mappings", "policies", "protection",
           "readonly", "recovery_plans", "recovery_points", "repair", "update", "vaults", "vcenters"]
