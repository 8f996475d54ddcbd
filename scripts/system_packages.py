#!/usr/bin/env python3
"""Check, and where possible install, the system packages `make run` and `make test` need.

    python3 scripts/system_packages.py run     # before `make run`
    python3 scripts/system_packages.py test    # before `make test`

Each package is found by what it provides (a shared library or a program), not by asking a
package manager, so the check works on any Linux. When something is missing and this machine
can install it (apt-get, as root or with `sudo` that needs no password), it is installed and the
script says so. Otherwise a missing *required* package stops the command at once with the exact
command to run; a missing *optional* one is a warning. With CI set, the test command's optional
packages are required too (CI must run the browser tests, not skip them).
BETTEROFF_NO_SYSTEM_INSTALL=1 never installs anything: it only checks.

Standard library only: this runs before the virtualenv exists.
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Package:
    name: str  # the Debian package
    why: str
    commands: tuple[str, ...]  # "run", "test"
    required: bool
    library: str | None = None  # found with ctypes.util.find_library
    program: tuple[str, ...] = ()  # or found on PATH under any of these names

    def present(self) -> bool:
        if self.library is not None and ctypes.util.find_library(self.library):
            return True
        return any(shutil.which(name) for name in self.program)


# Keep in step with the table in README.md ("Two commands").
PACKAGES: tuple[Package, ...] = (
    Package(
        "libpango-1.0-0",
        "WeasyPrint lays out the PDF reports with Pango",
        ("run", "test"),
        required=True,
        library="pango-1.0",
    ),
    Package(
        "libpangoft2-1.0-0",
        "Pango's FreeType fonts, which WeasyPrint loads the shipped Inter font through",
        ("run", "test"),
        required=True,
        library="pangoft2-1.0",
    ),
    Package(
        "libharfbuzz-subset0",
        "subsets the fonts embedded in reports, about 5x faster than WeasyPrint's fallback",
        ("run", "test"),
        required=True,
        library="harfbuzz-subset",
    ),
    Package(
        "chromium",
        "the browser tests drive Debian's Chromium through Playwright",
        ("test",),
        required=False,
        program=("chromium", "chromium-browser"),
    ),
)


def needed(command: str, ci: bool, packages: Sequence[Package] = PACKAGES) -> list[Package]:
    """The packages `command` checks, each marked required as it applies here."""
    return [
        replace(package, required=package.required or (ci and command == "test"))
        for package in packages
        if command in package.commands
    ]


def installer(no_install: bool) -> list[str] | None:
    """The apt-get command prefix this machine can run without a password, if any."""
    if no_install or not shutil.which("apt-get"):
        return None
    if os.geteuid() == 0:
        return ["apt-get"]
    if shutil.which("sudo") and _succeeds(["sudo", "-n", "true"]):
        return ["sudo", "-n", "apt-get"]
    return None


def _succeeds(argv: list[str]) -> bool:
    return subprocess.run(argv, capture_output=True, check=False).returncode == 0  # noqa: S603


def apt_install(prefix: list[str], names: list[str]) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    steps = [[*prefix, "update", "-qq"], [*prefix, "install", "-y", "-qq", *names]]
    for argv in steps:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            print(done.stdout[-2000:] + done.stderr[-2000:], file=sys.stderr)
            return False
    return True


def main(
    argv: Sequence[str],
    packages: Sequence[Package] = PACKAGES,
    install: Callable[[list[str], list[str]], bool] = apt_install,
) -> int:
    if len(argv) != 1 or argv[0] not in ("run", "test"):
        print("usage: system_packages.py run|test", file=sys.stderr)
        return 2
    command = argv[0]
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    wanted = needed(command, ci, packages)
    missing = [p for p in wanted if not p.present()]
    if not missing:
        return 0

    prefix = installer(os.environ.get("BETTEROFF_NO_SYSTEM_INSTALL") == "1")
    names = [p.name for p in missing]
    if prefix is not None:
        print(f"system packages: installing {' '.join(names)} ({' '.join(prefix)}) ...")
        if install(prefix, names):
            still = [p for p in missing if not p.present()]
            if not still:
                print(f"system packages: installed {' '.join(names)}")
                return 0
            missing = still
        else:
            print("system packages: apt-get failed (output above)", file=sys.stderr)

    fix = f"sudo apt-get install -y {' '.join(p.name for p in missing)}"
    for package in missing:
        kind = "required" if package.required else "optional"
        print(
            f"system packages: {package.name} is missing ({kind}): {package.why}", file=sys.stderr
        )
    if any(p.required for p in missing):
        print(
            f"system packages: `make {command}` cannot go on. Install them with:\n    {fix}\n"
            "(on other systems, the same libraries from your package manager, e.g. "
            "`brew install pango harfbuzz`), then run `make " + command + "` again.",
            file=sys.stderr,
        )
        return 1
    print(f"system packages: going on without them; to install: {fix}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
