"""``costsim claims``: the claims ledger, one line per claim of the debate."""

from __future__ import annotations

import argparse

from costsim.commands.common import count_at_least

EPILOG = """\
what a line says (columns: claim, verdict, deciding statistic = value ± MC se, needs threshold, [scenario]):
  hn.replicate_cost_today   fails   median(us_lab_cost_usd) = 5.616e+06 ± 3.072e+04, needs in [1e+07, 1.5e+07]
                                    [claims_us_lab_cost]

  The statistic is the one that decides the verdict: a median (or another quantile, a mean, a
  probability) of one of the scenario's outputs, with its Monte Carlo standard error, set against
  the threshold read from the claim's words. Forecasts (judge: probability in the ledger) are
  decided by P(the claim holds) over the prior, set against the ledger's probability band.

verdicts:
  holds              the statistic meets the threshold by more than 2 MC se; for a forecast,
                     P(claim) - 2 se >= the band's high end (0.8)
  fails              it misses the threshold by more than 2 MC se; for a forecast,
                     P(claim) + 2 se <= the band's low end (0.2)
  too close to call  the MC error straddles the threshold (more samples may settle it), or, for
                     a forecast, P(claim) lies inside the band: the prior spread straddles the
                     threshold (the line says which)
  untested           no bundled model or data can test it (the reason is printed), or the
                     evidence was published after the claim

  A claim is judged with the data of its own date (prices then in force, fits of data published
  before it); where today's data give another verdict, a "later data" line shows it. The same
  seed gives the same verdicts, byte for byte.

examples:
  costsim claims                          every claim, then the counts
  costsim claims hn.api_price_gap         only these claims
  costsim claims --list                   the claim ids, who made each claim and when
  costsim claims --json                   records: id, quote, source, date, scenario, verdict,
                                          statistic, value, value_se, threshold, probability, mc_se, ...
  costsim claims --profiles               the verdict under each belief profile (essay, critics, neutral)
  costsim claims hn.api_price_gap --profiles   IDs go before --profiles (it takes an optional list)
  costsim claims --why essay.powerful_ai_years   what would flip it: PRIM boxes, one-at-a-time swings
  costsim claims --markdown               the ledger as a Markdown table
  costsim claims --profile-set critics on_trend  the --set overrides that run a scenario under a profile
"""


def register(sub) -> None:
    p = sub.add_parser("claims", help="the claims ledger: every claim of the debate with its verdict",
                       description="Judge every quantitative claim of the 2025 DeepSeek / export-control debate\n"
                       "(costsim/data/ledger.yaml) against costsim's scenarios, as of the claim's date.", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("ids", nargs="*", metavar="ID", help="claims to judge (default: all)")
    p.add_argument("-n", "--samples", type=count_at_least(1), metavar="N", help="samples per scenario run, exactly (default: the ledger's samples: at most, fewer where a "
                        "scenario's own samples: is smaller; each line shows its n); more samples may settle a "
                        "claim too close to call")
    p.add_argument("--json", action="store_true", help="print the records as JSON")
    p.add_argument("--markdown", action="store_true", help="print the ledger as a Markdown table")
    p.add_argument("--html", action="store_true", help="print the ledger as an HTML table")
    p.add_argument("--profiles", nargs="?", const="essay,critics,neutral", metavar="A,B",
                   help="also judge under these belief profiles (default: essay,critics,neutral)")
    p.add_argument("--why", action="store_true", help="scenario discovery for the claims named (PRIM, swings)")
    p.add_argument("--no-swing", action="store_true", help="with --why: skip the one-at-a-time swings")
    p.add_argument("--profile-set", nargs=2, metavar=("PROFILE", "SCENARIO"),
                   help="print the --set options that run SCENARIO under PROFILE, one per line")
    p.add_argument("--ledger", metavar="FILE", help="a ledger file (default: the bundled one)")
    p.add_argument("--list", action="store_true", help="list the claim ids (with who and date) and exit")
    p.set_defaults(func=cmd_claims)


def cmd_claims(args) -> int:
    import json

    from costsim.ledger import judge, load_ledger, summary
    from costsim.ledger.render import HEADER, format_line, summary_line, to_html, to_markdown

    if args.ledger is not None:
        from pathlib import Path

        if not Path(args.ledger).is_file():  # was a FileNotFoundError traceback
            from costsim.errors import Issue, ScenarioError

            raise ScenarioError(args.ledger, [Issue("--ledger", "no such file" if not Path(args.ledger).exists()
                                                    else "not a file", "a ledger YAML file", args.ledger)])
    ledger = load_ledger(args.ledger)
    if args.list:  # the ids an unknown-id error points at (`costsim claims --list`)
        width = max((len(c.id) for c in ledger.claims), default=0)
        for c in ledger.claims:
            print(f"{c.id:<{width}}  {c.who}, {c.date}")
        return 0
    if args.profile_set:
        from costsim.ledger import scenario_path
        from costsim.ledger.profiles import load_profile, profile_overrides
        from costsim.scenario import load_raw

        name, scen = args.profile_set
        path = scen if scen.endswith((".yaml", ".yml")) else scenario_path(scen)
        overrides = profile_overrides(load_profile(name), load_raw(path)[0])
        for o in overrides:
            print(f"--set={o}")
        if not overrides:  # an empty answer is not a blank line with exit 0 and no word
            import sys

            print(f"profile {name} sets no parameter of {scen}", file=sys.stderr)
        return 0
    if args.why:
        from costsim.ledger.why import format_why, why

        ids = args.ids or [c.id for c in ledger.claims if c.tested]
        infos = [why(i, ledger=ledger, n=args.samples, swing=not args.no_swing) for i in ids]
        if args.json:
            print(json.dumps(infos, indent=1, sort_keys=True, default=float))
        else:
            print("\n\n".join(format_why(i) for i in infos))
        return 0
    profiles = ()
    if args.profiles:
        from costsim.ledger.profiles import load_profile

        profiles = tuple(load_profile(p.strip()) for p in args.profiles.split(",") if p.strip())
    records = judge(args.ids or None, ledger=ledger, n=args.samples, profiles=profiles)
    if args.json:
        print(json.dumps(records, indent=1, sort_keys=True))
    elif args.markdown:
        print(to_markdown(records), end="")
    elif args.html:
        print(to_html(records), end="")
    else:
        print(HEADER)
        for r in records:
            print(format_line(r))
        print("\n" + summary_line(summary(records)))
        if profiles:
            from costsim.ledger.render import profile_agreement

            tally: dict[str, int] = {}
            for r in records:
                if r["verdict"] != "untested":
                    key = profile_agreement(r)
                    tally[key] = tally.get(key, 0) + 1
            print("profiles: " + ", ".join(f"{v} {k}" for k, v in sorted(tally.items())))
    return 0
