"""The Python packages Home Assistant would pip-install when it starts with config/.

    python -m tests.e2e.hass_requirements [--missing] [CONFIG_DIR]

Prints one requirement a line (the pins of the installed Home Assistant's manifests),
with --missing only those not installed in this environment. scripts/setup uses it to
give the test environments what the end-to-end test's `hass` needs (so nothing is
downloaded while a test runs), and to check that requirements_dev.txt lists all of them.

It follows the rules of homeassistant/requirements.py: an integration being set up
needs the requirements of itself, its dependencies and after-dependencies (when they
exist) and of the discovery integrations its manifest names, recursively. What is set
up: Home Assistant's core and default integrations, the domains in configuration.yaml,
the integrations with config entries (ours), and the platforms those forward to.
"""

from __future__ import annotations

import argparse
from importlib.metadata import PackageNotFoundError, version
import json
from pathlib import Path
import sys
from typing import Any

import homeassistant
from homeassistant import bootstrap
from homeassistant.const import BASE_PLATFORMS
from homeassistant.requirements import DISCOVERY_INTEGRATIONS
from packaging.requirements import Requirement
import yaml

REPO = Path(__file__).resolve().parents[2]
BUILT_IN = Path(homeassistant.__file__).parent / "components"
CUSTOM = REPO / "custom_components"
# Set up from a config entry rather than configuration.yaml.
CONFIG_ENTRY_DOMAINS = ("volcengine_slow_live",)


def _manifest(domain: str) -> dict[str, Any] | None:
    for base in (CUSTOM, BUILT_IN):
        path = base / domain / "manifest.json"
        if path.is_file():
            manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return manifest
    return None


class _TopLevelKeys(yaml.SafeLoader):
    """Reads configuration.yaml without following its tags (`!include` ...)."""


# Only the top-level keys name integrations. An included file need not exist yet:
# automations.yaml and the like are created on the first start, after scripts/setup.
_TopLevelKeys.add_multi_constructor("!", lambda loader, suffix, node: None)


def root_domains(config_dir: Path) -> set[str]:
    """The integrations Home Assistant sets up with this configuration."""
    text = (config_dir / "configuration.yaml").read_text(encoding="utf-8")
    config: dict[str, Any] = yaml.load(text, Loader=_TopLevelKeys)  # noqa: S506
    domains = {key.split(" ")[0] for key in config}
    domains |= bootstrap.CORE_INTEGRATIONS | bootstrap.DEFAULT_INTEGRATIONS
    domains |= set(CONFIG_ENTRY_DOMAINS) | set(BASE_PLATFORMS)
    return domains


def requirements(config_dir: Path) -> list[str]:
    """Every requirement string Home Assistant checks when it starts."""
    found: dict[str, None] = {}
    done: set[str] = set()
    todo = sorted(root_domains(config_dir))
    while todo:
        domain = todo.pop()
        if domain in done:
            continue
        done.add(domain)
        manifest = _manifest(domain)
        if manifest is None:
            continue
        found.update(dict.fromkeys(manifest.get("requirements", [])))
        todo.extend(manifest.get("dependencies", []))
        todo.extend(manifest.get("after_dependencies", []))
        todo.extend(
            check
            for check, keys in DISCOVERY_INTEGRATIONS.items()
            if any(key in manifest for key in keys)
        )
    return sorted(found, key=str.lower)


def is_installed(requirement: str) -> bool:
    """Whether this environment satisfies the requirement."""
    req = Requirement(requirement)
    try:
        installed = version(req.name)
    except PackageNotFoundError:
        return False
    return req.specifier.contains(installed, prereleases=True)


def main(argv: list[str] | None = None) -> int:
    """Print the requirements (or the missing ones)."""
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.hass_requirements")
    parser.add_argument("--missing", action="store_true")
    parser.add_argument("config_dir", nargs="?", type=Path, default=REPO / "config")
    args = parser.parse_args(argv)
    for requirement in requirements(args.config_dir):
        if not args.missing or not is_installed(requirement):
            sys.stdout.write(requirement + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
