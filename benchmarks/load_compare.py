"""Compare two runs of benchmarks/load.py from their JSON files, as a Markdown table.

    .venv/bin/python benchmarks/load_compare.py OLD.json NEW.json [--config after]
                                                [--old-config before] [--engine sqlite]

For each engine in both files and each workload in both, req/s, share of that run's bare page
and p95, old against new, with the change. By default each side's configuration is the one
its goals were measured on (`after` when it ran); --config sets both, --old-config and
--new-config one each. Workloads with unexpected answers are marked (!). With one file,
compares its `before` and `after` configurations.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def pick_config(section: dict, wanted: str | None) -> str:
    configs = list(section["configs"])
    if wanted:
        if wanted not in configs:
            sys.exit(f"configuration {wanted!r} not in this run (it has {configs})")
        return wanted
    return section.get("goals", {}).get("measured_on") or configs[-1]


def cell(result: dict | None, bare_rps: float) -> tuple[str, str, str]:
    if result is None:
        return "", "", ""
    mark = " (!)" if result.get("bad") or result.get("note") else ""
    share = result.get("share_of_bare") or (result["rps"] / bare_rps if bare_rps else None)
    return (
        f"{result['rps']:.1f}{mark}",
        "" if share is None else f"{share * 100:.1f} %",
        f"{result['p95']:.1f}",
    )


def change(old: dict | None, new: dict | None, key: str) -> str:
    if not old or not new or not old[key]:
        return ""
    return f"{(new[key] / old[key] - 1) * 100:+.0f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path, nargs="?")
    parser.add_argument("--engine", help="only this engine")
    parser.add_argument("--config", help="the configuration on both sides")
    parser.add_argument("--old-config")
    parser.add_argument("--new-config")
    args = parser.parse_args()
    old_run = json.loads(args.old.read_text())
    new_run = json.loads(args.new.read_text()) if args.new else old_run
    if args.new is None:
        args.old_config = args.old_config or "before"
        args.new_config = args.new_config or "after"
    for engine, old_section in old_run["engines"].items():
        new_section = new_run["engines"].get(engine)
        if new_section is None or (args.engine and engine != args.engine):
            continue
        old_config = pick_config(old_section, args.old_config or args.config)
        new_config = pick_config(new_section, args.new_config or args.config)
        old_w = old_section["configs"][old_config]["workloads"]
        new_w = new_section["configs"][new_config]["workloads"]
        old_name = f"{args.old.name}:{old_config}"
        new_name = f"{(args.new or args.old).name}:{new_config}"
        print(f"\n### {engine}: {old_name} → {new_name}\n")
        print(
            f"bare page: {old_section['bare']['rps']:.1f} → {new_section['bare']['rps']:.1f} "
            "req/s\n"
        )
        print(
            "| workload | old req/s | old % bare | old p95 ms | new req/s | new % bare "
            "| new p95 ms | req/s change | p95 change |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        keys = list(dict.fromkeys([*old_w, *new_w]))
        for key in keys:
            old, new = old_w.get(key), new_w.get(key)
            name = (old or new)["name"].replace("  of which", "↳ of which")
            cells = [
                name,
                *cell(old, old_section["bare"]["rps"]),
                *cell(new, new_section["bare"]["rps"]),
                change(old, new, "rps"),
                change(old, new, "p95"),
            ]
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
