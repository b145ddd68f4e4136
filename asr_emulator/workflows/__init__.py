"""Workflows: each DR operation as the job the service runs for it (DESIGN.md §How a workflow flows).

A workflow validates a request (typed ARM errors, nothing changed), then starts a job whose task
tree is the recorded one (``models.tasks``): each task says what work it sends to which Provider
(``channel.work``) and what each outcome does to the vault's state. ``sites`` finds what a request
names; ``pairing`` and ``network_mapping`` are the workflows of cloud pairing and network mapping.
"""
