"""Reading long lists of numbers: costsim's YAML reader against PyYAML's own C loader, same text, same run.

A 150k-value ``choice`` parameter took 1.2 s to validate, most of it per value in costsim's reader.
Target: costsim's reader no slower than ``yaml.CSafeLoader`` (ratio <= 1). Interleaved, best of
five, so the machine's load hits both alike. Run: ``python benchmarks/bench_yaml.py``.
"""

import os
import time

import yaml

from costsim.yamlio import load_yaml


def main() -> None:
    if not getattr(yaml, "__with_libyaml__", False):
        print("PyYAML without libyaml: no C loader to compare with")
        return
    text = "values: [" + ", ".join(str(i + 2) if i % 2 else f"{i}.5" for i in range(150_000)) + "]\n"
    ours, plain = [], []
    for _ in range(5):
        t = time.perf_counter()
        load_yaml(text)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        yaml.load(text, Loader=yaml.CSafeLoader)
        plain.append(time.perf_counter() - t)
    print(f"# load average {os.getloadavg()[0]:.2f}")
    print(f"150k-number list: costsim.yamlio.load_yaml {min(ours):.3f} s, yaml.CSafeLoader {min(plain):.3f} s, "
          f"ratio {min(ours) / min(plain):.2f} (target <= 1)")


if __name__ == "__main__":
    main()
