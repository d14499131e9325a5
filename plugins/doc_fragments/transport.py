# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The HTTP options both clouds share (plugins/module_utils/_transport.py and _retry.py). Each cloud's fragment
    # documents max_retries itself: the codes it retries, and the default, differ.
    DOCUMENTATION = r"""
options:
  validate_certs:
    description: Verify TLS certificates. Turn off only for testing.
    type: bool
    default: true
  ca_bundle:
    description: Path to a PEM file of CA certificates to verify TLS with, for private clouds or TLS-inspecting proxies.
    type: path
  timeout:
    description: Seconds to wait for each HTTP request.
    type: float
    default: 30
  retry_delay:
    description:
      - Seconds the first retry waits at most; each further retry doubles that cap, up to 20 seconds. The wait is a random
        time below the cap (full jitter), or the service's C(Retry-After) when that is longer.
    type: float
    default: 0.5
  list_concurrency:
    description:
      - How many list pages are requested at a time. The first page tells how many records match, then the other
        pages are fetched this many at a time, through the same retries (and, for Tencent Cloud, the same
        C(rate_limit)). The request count is the same as one page at a time; only the waiting overlaps.
      - A listing that changes while it is read (another run deleting records) is read again, as with V(1), so
        nothing selected is left behind.
      - The default 8 is where more pages at a time stop paying off at a cloud's 50 ms a call (see the collection's
        benchmarks), and stays below the 200 calls a second that Huawei Cloud's API gateway allows an API by default.
        V(1) reads one page after another.
    type: int
    default: 8
notes:
  - The module runs where the task runs, usually C(localhost) or an execution environment, and reads environment
    variables there.
  - Proxies are read from E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY).
  - A wrong endpoint is never retried, so that it fails at once with a message naming the host it tried
    (C(scheme://host:port)) and the attempts made. That is a refused connection (C(ConnectionRefused), nothing
    listens on that port), a host name that does not exist (C(NameResolutionError)) or an invalid URL (C(InvalidURL)).
  - Secrets are never included in results, warnings or error messages.
requirements:
  - python >= 3.9
  - requests
"""
