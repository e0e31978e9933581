"""The claims ledger: every quantitative claim of the debate, judged as of its date.

>>> from costsim.ledger import judge
>>> records = judge(["hn.api_price_gap"])          # doctest: +SKIP
>>> records[0]["verdict"], records[0]["later"]["verdict"]   # doctest: +SKIP
('holds', 'fails')
"""

from costsim.ledger.book import Claim, Ledger, bundled_ledger_text, load_ledger, source_title
from costsim.ledger.judge import (CLOSE, FAILS, HOLDS, UNTESTED, as_of_overrides, build_scenario, claim_run,
                                  indicator, judge, scenario_path, summary)

__all__ = ["Claim", "Ledger", "load_ledger", "bundled_ledger_text", "source_title", "judge", "summary",
           "indicator", "as_of_overrides", "build_scenario", "claim_run", "scenario_path",
           "HOLDS", "FAILS", "CLOSE", "UNTESTED"]
