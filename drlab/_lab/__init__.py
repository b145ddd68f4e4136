"""The parts of ``drlab.Lab``: the topology spec and the site builder."""
