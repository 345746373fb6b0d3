"""A ready-to-use Home Assistant configuration: used by scripts/develop and the e2e test.

    python -m tests.e2e.provision prepare CONFIG_DIR [--language zh-Hans]
    python -m tests.e2e.provision provision --url URL --emulator URL
        [--username dev --password dev] [--token-file FILE] [--timeout 120]
        [--wait-for-cameras] [--demo-voice] [--language zh-Hans]

`prepare` (before Home Assistant starts) makes the integration visible and skips the
onboarding steps that would add integrations we do not want:

* `custom_components` is a symlink to the repository's folder (never a copy);
* a copy of config/ (configuration.yaml, dashboards/) when CONFIG_DIR is elsewhere;
* empty automations.yaml, scripts.yaml and scenes.yaml, which configuration.yaml
  includes and the UI's editors save to;
* `.storage/onboarding` with the steps "core_config", "analytics" and "integration"
  marked done (core_config would add the met, radio_browser, shopping_list and
  google_translate integrations, which download packages and reach the internet);
* `.storage/core.config`, the core settings that step would have saved (name,
  location, time zone, units, language), so they stay editable under Settings →
  System → General; `--language` sets the server's language (each time it is given).

`provision` (once Home Assistant answers) does the rest through Home Assistant's own
public APIs, as the onboarding UI, "Add integration" and the settings pages would, so
no other internal storage format is written by hand:

1. the onboarding "user" step creates the owner (`POST /api/onboarding/users`);
2. the auth code it returns is exchanged for tokens (`POST /auth/token`);
3. a config flow adds Volcengine Slow Live for the emulator
   (`POST /api/config/config_entries/flow`) with every space it offers;
4. with --token-file, a long-lived access token is created (websocket
   `auth/long_lived_access_token`) and written there;
5. with --demo-voice, what the README's voice examples need of the demo: its cameras
   exposed to Assist, Chinese aliases for them and the TV, named presets on the
   Living Room dome, and an assistant for English and one for Chinese;
6. with --language (each time it is given), the owner's UI language.

It is idempotent: when the owner exists already (onboarding finished), it does nothing
but step 6, so an entry the developer deleted stays deleted. Standard library only,
except the websocket steps (aiohttp, which Home Assistant installs).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
import shutil
import sys
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

REPO = Path(__file__).resolve().parents[2]
SOURCE_CONFIG = REPO / "config"
DOMAIN = "volcengine_slow_live"
# Onboarding steps marked done before the first start; "user" is done through the API.
SKIPPED_ONBOARDING_STEPS = ["core_config", "analytics", "integration"]
ONBOARDING_STORAGE_VERSION = 4
REGION = "cn-north-1"
# Home Assistant's core settings as its General page saves them (core_config.py:
# CORE_STORAGE_KEY, version 1.4 in every supported release): Beijing.
CORE_CONFIG_VERSION = (1, 4)
CORE_CONFIG = {
    "location_name": "Slow Live development",
    "latitude": 39.9042,
    "longitude": 116.4074,
    "elevation": 44,
    "unit_system_v2": "metric",
    "time_zone": "Asia/Shanghai",
    "external_url": None,
    "internal_url": None,
    "currency": "CNY",
    "country": "CN",
    "language": "en",
    "radius": 100,
}
# What the UI's editors save to, and what configuration.yaml includes: empty.
UI_FILES = {"automations.yaml": "[]\n", "scripts.yaml": "{}\n", "scenes.yaml": "[]\n"}


# ----------------------------------------------------------------------------- prepare
def use_go2rtc(config_dir: Path, go2rtc_url: str, *, internal_url: str) -> None:
    """Make the prepared configuration play live view through that go2rtc.

    Home Assistant OS and the container image run one themselves; elsewhere Home
    Assistant is told where it runs. go2rtc reaches the cameras' relays at Home
    Assistant's internal URL (a core setting: in YAML it would make all of them
    read-only).
    """
    _update_core_config(config_dir, internal_url=internal_url)
    path = config_dir / "configuration.yaml"
    text = path.read_text()
    path.write_text(f"{text}\n# Live view over WebRTC.\ngo2rtc:\n  url: {go2rtc_url}\n")


def _update_core_config(config_dir: Path, **settings: Any) -> None:
    """Change core settings in .storage/core.config (Home Assistant not running)."""
    path = config_dir / ".storage" / "core.config"
    stored = json.loads(path.read_text(encoding="utf-8"))
    stored["data"].update(settings)
    path.write_text(json.dumps(stored, indent=2), encoding="utf-8")


def prepare(config_dir: Path, *, language: str | None = None) -> None:
    """Make CONFIG_DIR a configuration Home Assistant can start with (idempotent).

    `language`: the server's language (core settings), also when they exist already.
    """
    config_dir = config_dir.resolve()
    config_dir.mkdir(parents=True, exist_ok=True)
    if config_dir != SOURCE_CONFIG.resolve():
        shutil.copy2(SOURCE_CONFIG / "configuration.yaml", config_dir)
        shutil.copytree(
            SOURCE_CONFIG / "dashboards", config_dir / "dashboards", dirs_exist_ok=True
        )
    for name, empty in UI_FILES.items():
        if not (config_dir / name).exists():
            (config_dir / name).write_text(empty, encoding="utf-8")
    # Link, not copy: edits in the repository show up after a restart. Each
    # integration on its own: the development TV is not in custom_components/.
    components = config_dir / "custom_components"
    if components.is_symlink():  # how earlier versions linked the whole directory
        components.unlink()
    _link(components / DOMAIN, REPO / "custom_components" / DOMAIN)
    _link(components / "tv_player", REPO / "dev" / "tv_player")
    # Each blueprint file linked on its own: Home Assistant looks for blueprints with
    # a `**/*.yaml` glob, which on Python 3.14 does not enter a linked directory.
    _link_files(
        config_dir / "blueprints" / "automation" / "volcengine_slow_live",
        REPO / "blueprints" / "automation" / "volcengine_slow_live",
    )
    _link(config_dir / "custom_sentences" / "en", REPO / "custom_sentences" / "en")
    # Home Assistant reads Simplified Chinese sentences from zh-CN.
    _link(
        config_dir / "custom_sentences" / "zh-CN", REPO / "custom_sentences" / "zh-Hans"
    )
    # configuration.yaml includes packages/ (scripts/develop's go2rtc.yaml).
    (config_dir / "packages").mkdir(exist_ok=True)
    storage = config_dir / ".storage"
    storage.mkdir(exist_ok=True)
    onboarding = storage / "onboarding"
    if not onboarding.exists() and not (storage / "auth").exists():
        onboarding.write_text(
            json.dumps(
                {
                    "version": ONBOARDING_STORAGE_VERSION,
                    "minor_version": 1,
                    "key": "onboarding",
                    "data": {"done": SKIPPED_ONBOARDING_STEPS},
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    # Written once: what the developer changes on the General page stays.
    core_config = storage / "core.config"
    if not core_config.exists():
        major, minor = CORE_CONFIG_VERSION
        core_config.write_text(
            json.dumps(
                {
                    "version": major,
                    "minor_version": minor,
                    "key": "core.config",
                    "data": CORE_CONFIG,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    if language is not None:
        _update_core_config(config_dir, language=language)


def _link_files(folder: Path, source: Path) -> None:
    """Make `folder` a real directory with a relative symlink to each file of `source`."""
    if folder.is_symlink():  # how earlier versions linked the whole directory
        folder.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    for target in sorted(source.glob("*.yaml")):
        link = folder / target.name
        relative = os.path.relpath(target, folder)
        if link.is_symlink() and str(link.readlink()) != relative:
            link.unlink()
        if not link.is_symlink():
            if link.exists():
                raise SystemExit(f"{link} exists and is not a symlink; move it away")
            link.symlink_to(relative)


def _link(link: Path, target: Path) -> None:
    """Make `link` a relative symlink to `target` (idempotent)."""
    link.parent.mkdir(parents=True, exist_ok=True)
    relative = os.path.relpath(target, link.parent)
    if link.is_symlink() and str(link.readlink()) != relative:
        link.unlink()
    if not link.is_symlink():
        if link.exists():
            raise SystemExit(f"{link} exists and is not a symlink; move it away")
        link.symlink_to(relative, target_is_directory=True)


# ---------------------------------------------------------------------- HTTP helpers
class HttpError(Exception):
    """A non-2xx answer."""

    def __init__(self, status: int, body: str) -> None:
        """Keep status and body."""
        super().__init__(f"HTTP {status}: {body[:500]}")
        self.status = status
        self.body = body


def request(
    method: str,
    url: str,
    *,
    token: str | None = None,
    json_body: Any = None,
    form: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> Any:
    """One HTTP request; the decoded JSON answer (or text)."""
    headers: dict[str, str] = {}
    data: bytes | None = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            body = resp.read().decode()
    except urllib.error.HTTPError as err:
        raise HttpError(err.code, err.read().decode(errors="replace")) from None
    try:
        return json.loads(body)
    except ValueError:
        return body


def wait_for_onboarding(url: str, deadline: float) -> list[dict[str, Any]] | None:
    """Poll until Home Assistant answers; the onboarding steps, or None when onboarded."""
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            steps: list[dict[str, Any]] = request(
                "GET", f"{url}/api/onboarding", timeout=5
            )
            return steps
        except HttpError as err:
            if err.status == 404:  # onboarding finished: its views are gone
                return None
            last = err
        except OSError as err:  # not listening yet
            last = err
        time.sleep(0.25)
    raise TimeoutError(f"Home Assistant did not answer at {url}: {last}")


# ------------------------------------------------------------------------- provision
def create_owner(
    url: str, username: str, password: str, *, language: str = "en"
) -> dict[str, Any]:
    """The onboarding user step, then the token exchange; the token answer.

    `language`: the owner's, in which onboarding names the default areas.
    """
    client_id = f"{url}/"
    answer = request(
        "POST",
        f"{url}/api/onboarding/users",
        json_body={
            "client_id": client_id,
            "name": "Developer",
            "username": username,
            "password": password,
            "language": language,
        },
    )
    tokens: dict[str, Any] = request(
        "POST",
        f"{url}/auth/token",
        form={
            "grant_type": "authorization_code",
            "code": answer["auth_code"],
            "client_id": client_id,
        },
    )
    return tokens


def add_emulator_entry(
    url: str, token: str, *, emulator: str, access_key: str, secret_key: str
) -> dict[str, Any]:
    """Volcengine Slow Live through its config flow, with every space it offers."""
    flow = request(
        "POST",
        f"{url}/api/config/config_entries/flow",
        token=token,
        json_body={"handler": DOMAIN, "show_advanced_options": True},
    )
    step = request(
        "POST",
        f"{url}/api/config/config_entries/flow/{flow['flow_id']}",
        token=token,
        json_body={
            "access_key_id": access_key,
            "secret_access_key": secret_key,
            "region": REGION,
            "advanced": {"endpoint": emulator},
        },
    )
    if step.get("step_id") != "spaces":
        raise RuntimeError(f"config flow did not accept the emulator's keys: {step}")
    field = next(f for f in step["data_schema"] if f["name"] == "spaces")
    options = field["selector"]["select"]["options"]
    spaces = [o["value"] if isinstance(o, dict) else o for o in options]
    result: dict[str, Any] = request(
        "POST",
        f"{url}/api/config/config_entries/flow/{flow['flow_id']}",
        token=token,
        json_body={"spaces": spaces},
    )
    if result.get("type") != "create_entry":
        raise RuntimeError(f"config flow did not create an entry: {result}")
    return result


def set_options(url: str, token: str, entry_id: str, options: dict[str, Any]) -> None:
    """Save an entry's options through its options flow (the rest keep their defaults)."""
    flow = request(
        "POST",
        f"{url}/api/config/config_entries/options/flow",
        token=token,
        json_body={"handler": entry_id},
    )
    result = request(
        "POST",
        f"{url}/api/config/config_entries/options/flow/{flow['flow_id']}",
        token=token,
        json_body=options,
    )
    if result.get("type") != "create_entry":
        raise RuntimeError(f"options flow did not save: {result}")


def websocket_command(url: str, token: str, command: dict[str, Any]) -> dict[str, Any]:
    """One websocket command as the frontend sends it; the answer (success or not)."""
    return websocket_commands(url, token, [command])[0]


def websocket_commands(
    url: str, token: str, commands: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Websocket commands one after the other on one connection; their answers."""
    import asyncio

    import aiohttp

    async def send() -> list[dict[str, Any]]:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"{url}/api/websocket") as ws,
        ):
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": token})
            if (msg := await ws.receive_json())["type"] != "auth_ok":
                raise RuntimeError(f"websocket auth failed: {msg}")
            answers: list[dict[str, Any]] = []
            for number, command in enumerate(commands, 1):
                await ws.send_json({"id": number, **command})
                # Only the answer: nothing here subscribes to events.
                answers.append(await ws.receive_json())
            return answers

    return asyncio.run(send())


def long_lived_token(url: str, access_token: str, name: str) -> str:
    """A long-lived access token (websocket command auth/long_lived_access_token)."""
    msg = websocket_command(
        url,
        access_token,
        {"type": "auth/long_lived_access_token", "client_name": name, "lifespan": 3650},
    )
    if not msg.get("success"):
        raise RuntimeError(f"no long-lived token: {msg}")
    token: str = msg["result"]
    return token


def our_cameras(url: str, token: str) -> list[str]:
    """The camera entities of Volcengine Slow Live (a template asked over REST)."""
    answer = request(
        "POST",
        f"{url}/api/template",
        token=token,
        json_body={
            "template": (
                f"{{{{ integration_entities('{DOMAIN}') | select('match', 'camera[.]')"
                " | list | tojson }}"
            )
        },
    )
    cameras: list[str] = json.loads(answer) if isinstance(answer, str) else answer
    return cameras


def wait_for_cameras(url: str, token: str, deadline: float) -> list[str]:
    """Poll until the integration's cameras exist (the entry has loaded)."""
    while True:
        try:
            if cameras := our_cameras(url, token):
                return cameras
        except HttpError, OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("no Volcengine Slow Live camera appeared")
        time.sleep(0.25)


def set_user_language(url: str, token: str, language: str) -> None:
    """The user's UI language, kept by Home Assistant (their profile's Language)."""
    answer = websocket_command(
        url,
        token,
        {
            "type": "frontend/set_user_data",
            "key": "language",
            # As the profile page saves it: the rest follows the language.
            "value": {
                "language": language,
                **dict.fromkeys(
                    ("number_format", "time_format", "date_format", "first_weekday"),
                    "language",
                ),
                "time_zone": "local",
            },
        },
    )
    if not answer.get("success"):
        raise RuntimeError(f"the user's language was not saved: {answer}")


# ------------------------------------------------------------------------ the demo
# What the README's voice examples need of the demo (scripts/develop --demo-voice):
# its cameras exposed to Assist, Chinese names for them and the TV (aliases), named
# presets on the Living Room dome, and an assistant in each language.
DEMO_ALIASES = {
    "camera.front_gate": "前门",
    "camera.garden": "花园",
    "camera.garage": "车库",
    "camera.back_door": "后门",
    "camera.living_room": "客厅",
    "camera.attic": "阁楼",
    "camera.barn": "谷仓",
    "camera.tea_garden_east": "东坡茶园",
    "camera.tea_garden_west": "西坡茶园",
    "media_player.tv": "电视",
}
DEMO_PRESETS = {"camera.living_room": ["Gate", "大门"]}
# Assistants by the language of their conversation agent, as "Add assistant" makes
# them: the built-in agent's sentences come in zh-CN for Simplified Chinese.
DEMO_ASSISTANTS = {"en": "English", "zh-CN": "中文"}


def demo_voice_commands(pipelines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The websocket commands of the demo's voice setup, given the assistants there are.

    The commands the UI sends: Settings → Voice assistants → Expose, an entity's
    aliases, the ptz_preset action, and Add assistant for a language none speaks yet.
    """
    commands: list[dict[str, Any]] = [
        {
            "type": "homeassistant/expose_entity",
            "assistants": ["conversation"],
            "entity_ids": list(DEMO_ALIASES),
            "should_expose": True,
        }
    ]
    # None stands for the entity's own name, which stays one of its names (a new
    # entity's aliases are just that one).
    commands += [
        {
            "type": "config/entity_registry/update",
            "entity_id": entity,
            "aliases": [None, alias],
        }
        for entity, alias in DEMO_ALIASES.items()
    ]
    commands += [
        {
            "type": "call_service",
            "domain": DOMAIN,
            "service": "ptz_preset",
            "service_data": {"operation": "save", "preset": name},
            "target": {"entity_id": camera},
        }
        for camera, names in DEMO_PRESETS.items()
        for name in names
    ]
    spoken = {p["conversation_language"].split("-")[0] for p in pipelines}
    commands += [
        {
            "type": "assist_pipeline/pipeline/create",
            "name": name,
            "language": language,
            "conversation_engine": "conversation.home_assistant",
            "conversation_language": language,
            **dict.fromkeys(
                ("stt_engine", "stt_language", "tts_engine", "tts_language"), None
            ),
            **dict.fromkeys(("tts_voice", "wake_word_entity", "wake_word_id"), None),
        }
        for language, name in DEMO_ASSISTANTS.items()
        if language.split("-")[0] not in spoken
    ]
    return commands


def set_up_demo_voice(url: str, token: str, deadline: float) -> None:
    """The demo's voice setup, once its cameras and the TV exist."""
    while True:
        states = request("GET", f"{url}/api/states", token=token)
        if set(DEMO_ALIASES) <= {state["entity_id"] for state in states}:
            break
        if time.monotonic() > deadline:
            raise TimeoutError("the demo's cameras and TV did not all appear")
        time.sleep(0.25)
    listed = websocket_command(url, token, {"type": "assist_pipeline/pipeline/list"})
    commands = demo_voice_commands(listed["result"]["pipelines"])
    for command, answer in zip(
        commands, websocket_commands(url, token, commands), strict=True
    ):
        if not answer.get("success"):
            raise RuntimeError(f"{command['type']} failed: {answer}")


def provision(
    url: str,
    *,
    emulator: str,
    access_key: str,
    secret_key: str,
    username: str,
    password: str,
    token_file: Path | None,
    timeout: float,
    options: dict[str, Any] | None = None,
    language: str = "en",
) -> bool:
    """Onboard and add the emulator's entry on the first start; False if done before.

    `options`: the entry's options to save right away (the rest keep their defaults).
    `language`: the owner's (the default areas' names).
    """
    url = url.rstrip("/")
    steps = wait_for_onboarding(url, time.monotonic() + timeout)
    if steps is None or any(s["step"] == "user" and s["done"] for s in steps):
        return False
    tokens = create_owner(url, username, password, language=language)
    entry = add_emulator_entry(
        url,
        tokens["access_token"],
        emulator=emulator,
        access_key=access_key,
        secret_key=secret_key,
    )
    if options:
        set_options(url, tokens["access_token"], entry["result"]["entry_id"], options)
    if token_file is not None:
        token = long_lived_token(url, tokens["access_token"], "scripts/develop")
        token_file.write_text(token + "\n", encoding="utf-8")
        token_file.chmod(0o600)
    return True


def main(argv: list[str] | None = None) -> int:
    """Command line: prepare or provision."""
    from emulator.accounts import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY

    parser = argparse.ArgumentParser(prog="python -m tests.e2e.provision")
    sub = parser.add_subparsers(dest="command", required=True)
    prep = sub.add_parser("prepare", help="before the first start")
    prep.add_argument("config_dir", type=Path)
    prep.add_argument("--language", help="the server's language (e.g. zh-Hans)")
    prov = sub.add_parser("provision", help="once Home Assistant answers")
    prov.add_argument("--url", required=True)
    prov.add_argument("--emulator", required=True, help="the emulator's base URL")
    prov.add_argument("--access-key", default=DEFAULT_ACCESS_KEY)
    prov.add_argument("--secret-key", default=DEFAULT_SECRET_KEY)
    prov.add_argument("--username", default="dev")
    prov.add_argument("--password", default="dev")
    prov.add_argument("--token-file", type=Path)
    prov.add_argument("--timeout", type=float, default=120.0)
    prov.add_argument(
        "--instant-alarms",
        action="store_true",
        help="turn on the entry's 'Receive alarms instantly' option",
    )
    prov.add_argument(
        "--wait-for-cameras",
        action="store_true",
        help="then wait until the cameras exist (needs --token-file)",
    )
    prov.add_argument(
        "--demo-voice",
        action="store_true",
        help=(
            "on the first start: expose the demo's cameras to Assist, give them and"
            " the TV Chinese aliases, save presets, add an assistant per language"
            " (needs --token-file)"
        ),
    )
    prov.add_argument(
        "--language",
        help="the owner's UI language, each time it is given (needs --token-file)",
    )
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(args.config_dir, language=args.language)
        return 0
    done = provision(
        args.url,
        emulator=args.emulator,
        access_key=args.access_key,
        secret_key=args.secret_key,
        username=args.username,
        password=args.password,
        token_file=args.token_file,
        timeout=args.timeout,
        options={"instant_alarms": True} if args.instant_alarms else None,
        language=args.language or "en",
    )
    print("provisioned" if done else "already provisioned")  # noqa: T201
    if not (args.token_file and args.token_file.exists()):
        return 0
    url = args.url.rstrip("/")
    token = args.token_file.read_text(encoding="utf-8").strip()
    deadline = time.monotonic() + args.timeout
    if args.wait_for_cameras:
        cameras = wait_for_cameras(url, token, deadline)
        print(f"{len(cameras)} cameras")  # noqa: T201
    if args.demo_voice and done:
        set_up_demo_voice(url, token, deadline)
        print("voice: cameras exposed, Chinese aliases, presets, assistants")  # noqa: T201
    if args.language:
        set_user_language(url, token, args.language)
    return 0


if __name__ == "__main__":
    sys.exit(main())
