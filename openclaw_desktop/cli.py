"""The ``openclaw-desktop`` command line.

Subcommands: ``gateway`` (headless gateway in the foreground), ``exec-policy check``
("would this command run?"), ``pair`` (setup code + QR for a phone), ``voice`` (gateway + voice pipeline
headless, one JSON line per event) and ``version``. With no subcommand (or
``app``) the tray app starts, hosting the gateway in the same process.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

from openclaw_desktop import __version__
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import Overrides


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("port must be 0..65535")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="openclaw-desktop", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"openclaw-desktop {__version__}")
    sub = parser.add_subparsers(dest="subcommand")
    gw = sub.add_parser("gateway", help="run the OpenClaw-compatible gateway headless (no Qt)")
    gw.add_argument("--port", type=_port, help="port for WebSocket + HTTP (default 18789; 0 = any free port)")
    gw.add_argument("--bind", choices=("loopback", "lan", "custom"), help="interface to listen on")
    gw.add_argument("--host", help="address to bind with --bind custom")
    gw.add_argument("--auth", choices=("token", "password", "none"), help="gateway auth mode")
    gw.add_argument("--token", help="shared gateway token (overrides config and OPENCLAW_GATEWAY_TOKEN)")
    gw.add_argument("--password", help="shared gateway password (with --auth password)")
    policy = sub.add_parser("exec-policy", help="inspect the command-safety policy")
    from openclaw_desktop.approvals import check_command

    check_command.configure_parser(policy)
    key = sub.add_parser("model-key", help="store the Anthropic API key in the OS keyring")
    key.add_argument("action", choices=("set", "delete", "status"),
                     help="set (reads the key from stdin or a hidden prompt), delete, or status")
    pair = sub.add_parser("pair", help="mint a setup code (and QR) to pair a phone or node host")
    pair.add_argument("--profile", choices=("full", "limited", "node", "voice-node"), default="full",
                      help="full: node + operator with admin; limited: without admin; node: node role only; "
                           "voice-node: node + operator.read/operator.talk "
                           "(full becomes limited over plaintext ws:// on the LAN)")
    pair.add_argument("--url", help="gateway URL the device should use (default: from gateway.bind and port)")
    pair.add_argument("--json", action="store_true", help="print one JSON object instead of text and QR")
    pair.add_argument("--no-qr", action="store_true", help="do not print the terminal QR code")
    node = sub.add_parser("node", help="run this desktop as a node of a gateway (screen, camera, location)")
    from openclaw_desktop.nodes.desktop import launcher as node_launcher

    node_launcher.configure_parser(node)
    chat = sub.add_parser("chat", help="send one message to a gateway's agent and print the streamed reply")
    chat.add_argument("message", help="the message")
    chat.add_argument("--url", help="gateway URL (default: this machine's gateway from config)")
    chat.add_argument("--token", help="shared gateway token (default: stored device token, env, config)")
    chat.add_argument("--password", help="shared gateway password")
    chat.add_argument("--session", default="main", help="session key (default: main)")
    sub.add_parser("version", help="print the version")
    voice = sub.add_parser("voice", help="run the gateway and the voice pipeline headless on the default "
                                         "audio devices, printing one JSON line per pipeline event")
    voice.add_argument("--port", type=_port, help="gateway port (default from config; 0 = any free port)")
    voice.add_argument("--levels", action="store_true", help="also print audio level events (12.5 per second)")
    app = sub.add_parser("app", help="start the tray app hosting the gateway (the default with no subcommand)")
    app.add_argument("--port", type=_port, help="gateway port (default from config, 18789)")
    app.add_argument("--token", help="shared gateway token (overrides config and OPENCLAW_GATEWAY_TOKEN)")
    app.add_argument("--password", help="shared gateway password")
    app.add_argument("--attach", metavar="URL", help="use the gateway at URL instead of hosting one")
    return parser


def app_command(args: argparse.Namespace) -> int:
    """The tray app; a clear message (no traceback) when Qt cannot load."""
    try:
        from openclaw_desktop.ui import desktop_app
    except ImportError as exc:
        print(f"openclaw-desktop: the desktop app needs Qt, which could not be loaded ({exc}).\n"
              "  Install it with: pip install 'openclaw-desktop[ui]', or run the gateway without a UI: "
              "openclaw-desktop gateway", file=sys.stderr)
        return 2
    return desktop_app.main(StatePaths.resolve(), overrides_from(args, os.environ),
                            attach_url=getattr(args, "attach", None))


def chat_command(args: argparse.Namespace) -> int:
    """``openclaw-desktop chat``: one turn against any gateway (attach mode, headless)."""
    import asyncio

    from openclaw_desktop.config.service import ConfigService
    from openclaw_desktop.errors import ConfigError
    from openclaw_desktop.remote.operator import AttachError, RemoteOperator, chat_once

    paths = StatePaths.resolve()
    url, token, password = args.url, args.token, args.password
    if url is None:  # our own gateway on this machine: port and token from its config
        try:
            config = ConfigService(paths, overrides_from(argparse.Namespace(), os.environ))
        except ConfigError as exc:
            print(f"openclaw-desktop: {exc}", file=sys.stderr)
            return 1
        url = f"ws://127.0.0.1:{config.settings.gateway.port}"
        token = token or config.ensure_token()
    token = token or os.environ.get("OPENCLAW_GATEWAY_TOKEN") or None
    operator = RemoteOperator(url, paths.state_dir, token=token, password=password)
    try:
        asyncio.run(chat_once(operator, args.message, args.session,
                              on_text=lambda t: print(t, end="", flush=True)))
    except AttachError as exc:
        print(f"\nopenclaw-desktop: {exc}", file=sys.stderr)
        return 1
    print()
    return 0


def model_key(action: str) -> int:
    """Manage the API key in the OS keyring (never in the config file)."""
    import getpass

    from openclaw_desktop.agent.credentials import (
        KeyringUnavailable,
        delete_api_key,
        resolve_model_credentials,
        store_api_key,
    )

    try:
        if action == "set":
            key = sys.stdin.readline().strip() if not sys.stdin.isatty() else getpass.getpass("Anthropic API key: ")
            if not key:
                print("openclaw-desktop: no key given", file=sys.stderr)
                return 1
            store_api_key(key)
            print("stored the key in the OS keyring")
        elif action == "delete":
            print("deleted the key from the OS keyring" if delete_api_key() else "no key was stored")
        else:
            creds = resolve_model_credentials(os.environ, None)
            print(f"key: {'found in ' + (creds.source or '') if creds.api_key else 'none'}"
                  f"{'' if creds.api_key else ' (' + creds.reason + ')'}")
    except KeyringUnavailable as exc:
        print(f"openclaw-desktop: OS keyring unavailable: {exc}", file=sys.stderr)
        return 1
    return 0


def overrides_from(args: argparse.Namespace, env: Mapping[str, str]) -> Overrides:
    """Flags win over environment, which wins over the config file."""
    env_port = env.get("OPENCLAW_GATEWAY_PORT")
    port = getattr(args, "port", None)
    if port is None and env_port:
        try:
            port = _port(env_port)
        except (ValueError, argparse.ArgumentTypeError):
            raise SystemExit(f"openclaw-desktop: OPENCLAW_GATEWAY_PORT must be a port number (got {env_port!r})")
    bind = getattr(args, "bind", None)
    if bind == "custom" and not getattr(args, "host", None):
        raise SystemExit("openclaw-desktop: --bind custom needs --host ADDRESS")
    return Overrides(
        port=port, bind=bind, custom_host=getattr(args, "host", None),
        token=getattr(args, "token", None) or env.get("OPENCLAW_GATEWAY_TOKEN") or None,
        password=getattr(args, "password", None) or env.get("OPENCLAW_GATEWAY_PASSWORD") or None,
        auth_mode=getattr(args, "auth", None),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.subcommand == "version":
        print(f"openclaw-desktop {__version__}")
        return 0
    if args.subcommand == "chat":
        return chat_command(args)
    if args.subcommand == "model-key":
        return model_key(args.action)
    if args.subcommand == "pair":
        from openclaw_desktop import pair_command

        return pair_command.run(args, StatePaths.resolve(), overrides_from(args, os.environ))
    if args.subcommand == "node":
        from openclaw_desktop.nodes.desktop import launcher as node_launcher

        launch = node_launcher.launch_from_args(args, os.environ)
        node_launcher.setup_logging(args.verbose)
        if launch.headless:
            return node_launcher.run_headless(launch)
        from openclaw_desktop.ui.node_adapters.runner import run_with_qt

        return run_with_qt(launch)
    if args.subcommand == "voice":
        from openclaw_desktop.voice.headless import main_voice

        return main_voice(StatePaths.resolve(), overrides_from(args, os.environ), levels=args.levels)
    if args.subcommand == "exec-policy":
        from openclaw_desktop.approvals import check_command

        return check_command.run(args)
    if args.subcommand in (None, "app"):
        return app_command(args)
    from openclaw_desktop.app import main_gateway

    return main_gateway(StatePaths.resolve(), overrides_from(args, os.environ))


if __name__ == "__main__":
    sys.exit(main())
