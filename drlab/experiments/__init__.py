"""Fault-injection experiments, Jepsen-style (issue 12): the drill scenario (``scenario``), fault plans
as data (``fault_plans``), the registry of fault categories (``categories``), what a run's history says
(``timeline``, ``results``), campaigns with shrinking (``campaign``) on local processes or Dask
(``engines``), and the HTML reports (``report``). The commands are ``asr-harness drill``,
``experiment`` and ``replay`` (``drlab.cli_experiments``)."""
