"""The published api-versions of the Site Recovery resource provider (fact, not policy).

The real service accepts every one of them; older tools pin old ones (PowerShell 2018-07-10 /
2021-11-01, other languages' SDKs 2023-06-01), the Python SDK 2.0.0 sends 2025-08-01. The list is
2016-08-10 … 2024-04-01 from the Learn template pages [LEARN-RPI] plus the 2024-10-01, 2025-01-01,
2025-02-01 and 2025-08-01 spec folders [SPEC-DIRS] (asr-orchestration.md §B.7.1). The same list,
with its sources, is ``specs/asr/api-versions.json``; a suite checks the two agree. It lives here
as well because ``specs/`` is not part of the installed package.
"""

from __future__ import annotations

__all__ = ["ASR_API_VERSIONS", "ASR_API_VERSION_SET", "LATEST_ASR_API_VERSION"]

#: Oldest first, as ARM lists them in ``InvalidApiVersionParameter`` (§B.7.2).
ASR_API_VERSIONS: tuple[str, ...] = (
    "2016-08-10", "2018-01-10", "2018-07-10", "2021-02-10", "2021-03-01", "2021-04-01", "2021-06-01",
    "2021-07-01", "2021-08-01", "2021-10-01", "2021-11-01", "2021-12-01", "2022-01-01", "2022-02-01",
    "2022-03-01", "2022-04-01", "2022-05-01", "2022-08-01", "2022-09-10", "2022-10-01", "2023-01-01",
    "2023-02-01", "2023-04-01", "2023-06-01", "2023-08-01", "2024-01-01", "2024-02-01", "2024-04-01",
    "2024-10-01", "2025-01-01", "2025-02-01", "2025-08-01",
)

#: For the per-request membership test.
ASR_API_VERSION_SET: frozenset[str] = frozenset(ASR_API_VERSIONS)

#: What the Python SDK 2.0.0 sends (``routing.table`` specs carry it too).
LATEST_ASR_API_VERSION = ASR_API_VERSIONS[-1]
