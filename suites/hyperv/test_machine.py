"""The shipped state machine, run as this suite's own test (hypothesis profile from conftest.py)."""

from hyperv_fake.testing import ReplicationMachine

TestReplicationMachine = ReplicationMachine.TestCase
