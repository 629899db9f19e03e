"""services/finance/README.md stays true to the code (no servers needed): the method table is
the use-case table's, every entrypoint has a ``### name`` section with a ``shequ call finance
<name> '<json>'`` example its command model accepts, every policy row's roles and scopes are
stated, every contract is listed and its example validates, and our copies of registry's
contracts match what it publishes (``tests.support.readme.ServiceReadme``)."""

from __future__ import annotations

from finance.interests import REGISTRY

from tests.support.readme import ServiceReadme


class TestFinanceReadme(ServiceReadme):
    service = "finance"
    interests = REGISTRY
