"""simcore — the deterministic simulation kernel under every asr-harness emulator.

Virtual time (``Clock``, ``Scheduler``), seeded randomness with named streams (``LabRandom``),
a Jepsen-style ``History``, faults as data (``FaultPlan`` of ``FaultRule``s; component outages
watched through ``Outages``, partition spans kept by ``PartitionTimeline`` for closed-form replication, node clocks under ``Skews``, identity faults at ``pki.validate``, each
certificate judgment recorded as ``pki.judgment``), a
simulated ``Network`` of nodes and connections, and PKI (``simcore.pki``). ``Simulation`` wires them
together. Nothing here knows about Hyper-V, VMM or ASR.
"""

from ._clock import DEFAULT_EPOCH, Clock, Scheduler, Timer
from ._errors import (
    ConnectionClosed,
    ConnectionRefused,
    ConnectionReset,
    ConnectTimeout,
    DeadlineExceeded,
    FaultRuleError,
    HistoryFormatError,
    NetworkConfigError,
    NetworkError,
    SchedulingError,
    SimcoreError,
    UnknownNode,
)
from ._faults import (
    STATES, Action, Corrupt, Delay, Drop, Duplicate, Fail, FaultPlan, FaultRule, Match, Outage, Partition, Refuse,
    Reset, Respond, Skew,
)
from ._history import Event, History, Phase
from ._identity import IDENTITY_POINT, injected_refusal, judged
from ._judgments import CHAIN_OP, JUDGMENT_OP, TRAFFIC_OP, TRUST_OP, record_judgment, record_traffic
from ._network import Connection, Endpoint, Network, Node
from ._outages import Outages
from ._partitions import PartitionTimeline
from ._skew import CLOCK_POINT, Skews
from ._randomness import LabRandom
from ._simulation import Simulation
from ._standing import Standing, Standings
from ._wallclock import follow_virtual_time

__all__ = [
    "DEFAULT_EPOCH", "Clock", "Scheduler", "Timer", "Standing", "Standings",
    "LabRandom",
    "Event", "History", "Phase",
    "Action", "Partition", "Drop", "Delay", "Duplicate", "Reset", "Refuse", "Fail", "Respond", "Outage", "Corrupt",
    "Skew", "STATES", "Match", "FaultRule", "FaultPlan", "IDENTITY_POINT", "injected_refusal", "judged",
    "JUDGMENT_OP", "CHAIN_OP", "TRUST_OP", "TRAFFIC_OP", "record_judgment", "record_traffic",
    "Node", "Endpoint", "Connection", "Network", "Outages", "PartitionTimeline", "Skews", "CLOCK_POINT",
    "Simulation", "follow_virtual_time",
    "SimcoreError", "SchedulingError", "DeadlineExceeded", "UnknownNode", "NetworkConfigError", "FaultRuleError",
    "HistoryFormatError", "NetworkError", "ConnectionRefused", "ConnectTimeout", "ConnectionReset", "ConnectionClosed",
]
