"""The ``cocreate`` command line."""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger("cocreate")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    logging.basicConfig(
        level=os.environ.get("COCREATE_LOG_LEVEL", "WARNING"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("jieba").setLevel(logging.WARNING)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"cocreate: config error:\n{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`cocreate demo | head`): not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cocreate", description="共建助手: a bot for community group chats.")
    sub = parser.add_subparsers(metavar="COMMAND")

    def common(p: argparse.ArgumentParser, *, db_help: str = "database URL (default: from the config)") -> None:
        p.add_argument("--config", help="config file (default: $COCREATE_CONFIG, else ./config.yaml)")
        p.add_argument("--db", help=db_help)

    run = sub.add_parser("run", help="serve every configured platform; the console when none is")
    common(run)
    run.add_argument("--as", dest="sender", default="console", help="console: the default speaker's member id")
    run.add_argument("--chat", help="console: the default chat key (default: the first chat in the config)")
    run.set_defaults(func=cmd_run)

    worker = sub.add_parser("worker", help="serve the configured platforms (no console); one of several on PostgreSQL")
    common(worker)
    worker.set_defaults(func=cmd_worker)

    replay = sub.add_parser("replay", help="play a JSON-lines scenario on a simulated clock")
    replay.add_argument("scenario", help="the scenario file (JSON lines)")
    common(replay, db_help="database URL (default: a fresh temporary SQLite file)")
    replay.add_argument("--until", help="keep the clock running to this ISO time after the last line")
    replay.add_argument("--acks", metavar="FILE",
                        help="record the last acknowledged line here; a restart with the same file resumes after it")
    replay.set_defaults(func=cmd_replay)

    export = sub.add_parser("export", help="print the stored state")
    common(export)
    export.add_argument("--format", choices=["json", "xlsx", "csv"], default="json")
    export.add_argument("--out", help="write to this file instead of stdout (required for xlsx)")
    export.add_argument("--table", help="csv: which table (default: tickets when present, else the first)")
    export.set_defaults(func=cmd_export)

    roster = sub.add_parser("roster", help="manage the roster of households and members")
    roster_sub = roster.add_subparsers(metavar="ACTION")
    imp = roster_sub.add_parser("import", help="load households (with floor areas) and members from a CSV file")
    imp.add_argument("file")
    common(imp)
    imp.add_argument("--community", help="community key (needed when the config has several)")
    imp.set_defaults(func=cmd_roster_import)

    parse = sub.add_parser("parse", help="read {id, text} JSON lines, print what the parser makes of each")
    parse.set_defaults(func=cmd_parse)

    demo = sub.add_parser("demo", help="play the built-in one-week demo and print a transcript")
    demo.add_argument("--json", action="store_true", help="print replay JSON lines instead of a transcript")
    demo.set_defaults(func=cmd_demo)

    check = sub.add_parser("check", help="validate the config file and print what it describes")
    common(check)
    check.set_defaults(func=cmd_check)
    return parser


def config_path(explicit: str | None) -> Path | None:
    """--config, else $COCREATE_CONFIG, else ./config.yaml if present, else built-in defaults."""
    if explicit:
        return Path(explicit)
    if os.environ.get("COCREATE_CONFIG"):
        return Path(os.environ["COCREATE_CONFIG"])
    default = Path("config.yaml")
    return default if default.exists() else None


def _settings(args) -> Settings:
    return load_settings(config_path(getattr(args, "config", None)))


@contextmanager
def _temporary_database(url: str | None):
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="cocreate-") as tmp:
        yield f"sqlite:///{tmp}/replay.db"


# -- commands --------------------------------------------------------------------------

def cmd_run(args) -> int:
    from bot.adapters.platforms import platform_adapters
    from bot.runtime import ServingRuntime

    settings = _settings(args)
    chats = [c for community in settings.communities for c in community.chats]
    if not chats:
        print("cocreate: the config has no chats; copy config.example.yaml to config.yaml and edit it.",
              file=sys.stderr)
        return 2
    adapters = platform_adapters(settings)
    if adapters:
        runtime = ServingRuntime(settings, database_url=args.db)
    else:
        console = _console(args, settings, chats)
        if console is None:
            return 2
        adapters = [console]
        runtime = ServingRuntime(settings, database_url=args.db, simulated_platform="console")
    try:
        asyncio.run(_serve(runtime, adapters))
    finally:
        runtime.close()
    return 0


def cmd_worker(args) -> int:
    """Serve the configured platforms, or none: scheduled work still runs while this worker leads."""
    from bot.adapters.platforms import platform_adapters
    from bot.runtime import ServingRuntime

    settings = _settings(args)
    adapters = platform_adapters(settings)
    runtime = ServingRuntime(settings, database_url=args.db)
    log.info("worker started: %s", "、".join(a.describe() for a in adapters) or "no platform, scheduled work only")
    try:
        asyncio.run(_serve(runtime, adapters))
    finally:
        runtime.close()
    return 0


def _console(args, settings: Settings, chats):
    """The console adapter, when no platform is configured; None (reported) for a bad --chat."""
    from bot.adapters.console import ConsoleAdapter

    default_chat = args.chat or chats[0].key
    if default_chat not in {c.key for c in chats}:
        print(f"cocreate: --chat {default_chat}: no such chat in the config", file=sys.stderr)
        return None
    names = {m.key: m.name for community in settings.communities for m in community.members}
    names.setdefault("console", "控制台用户")
    return ConsoleAdapter(stdin=sys.stdin, stdout=sys.stdout, default_sender=args.sender,
                          default_chat=default_chat, bot_name=settings.bot_name, names=names)


async def _serve(runtime, adapters) -> None:
    """Serve until the input ends or the process is told to stop (Ctrl-C, or SIGTERM from a service manager)."""
    import signal

    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    except (NotImplementedError, RuntimeError):  # not on this platform, or not the main thread
        pass
    try:
        await runtime.serve(adapters)
    except asyncio.CancelledError:
        log.info("stopped")


class AckFile:
    """The replay's acknowledgement cursor: the number of the last line whose handling committed.

    It plays the part of a platform's update offset (Telegram's ``getUpdates`` offset): a
    line is acknowledged only after its transaction committed and its replies went to the
    sink. A stop between the commit and the acknowledgement delivers that one line again on
    restart; if it changed anything its id is in ``processed_message`` and the redelivery is
    a no-op, and if it changed nothing, handling it again in the same state changes nothing
    either. Lines are only skipped by this cursor, never by ``processed_message`` alone,
    because a message that changed nothing leaves no trace there.
    """

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def read(self) -> int | None:
        try:
            return int(self.path.read_text(encoding="ascii").strip())
        except (FileNotFoundError, ValueError):
            return None

    def write(self, line_no: int) -> None:
        # Written beside and renamed over: a kill leaves the old cursor or the new one, never half.
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(str(line_no), encoding="ascii")
        os.replace(tmp, self.path)


def cmd_replay(args) -> int:
    from datetime import datetime

    from bot.adapters.replay import outgoing_json, read_scenario
    from bot.runtime import SimulatedRuntime

    settings = _settings(args)
    try:
        with open(args.scenario, encoding="utf-8") as handle:
            events = list(read_scenario(handle, source=args.scenario, bot_name=settings.bot_name))
    except OSError as exc:
        print(f"cocreate: cannot read {args.scenario}: {exc.strerror}", file=sys.stderr)
        return 2
    until = datetime.fromisoformat(args.until) if args.until else None
    if not events and until is None:
        print(f"cocreate: {args.scenario}: no playable lines", file=sys.stderr)
        return 1
    acks = AckFile(args.acks) if args.acks else None
    acked = acks.read() if acks else None
    start = events[0].event.at if events else until
    if acked is not None:
        # Resume after the last acknowledged line, on a clock already at that line's time.
        start = max((item.event.at for item in events if item.line_no <= acked), default=start)
        events = [item for item in events if item.line_no > acked]
    known = {c.key for community in settings.communities for c in community.chats}

    def sink(outgoing) -> None:
        print(outgoing_json(outgoing, tz=settings.tz), flush=True)

    with _temporary_database(args.db) as url:
        runtime = SimulatedRuntime(settings, start=start, sink=sink, database_url=url)
        try:
            if acked is not None:
                # Sent before the stop but not yet recorded as sent: at least once, never lost.
                runtime.redeliver_undelivered()
            for item in events:
                if item.event.chat_id not in known:
                    print(f"{args.scenario}:{item.line_no}: skipped: chat {item.event.chat_id!r} is not in the config",
                          file=sys.stderr)
                    continue
                runtime.handle(item.event)
                if acks:
                    acks.write(item.line_no)
            if until is not None:
                runtime.advance_to(until)
        finally:
            runtime.close()
    return 0


def cmd_export(args) -> int:
    from bot.export import export_state
    from bot.features import build_registry
    from storage.db import make_engine, session_scope
    from storage.migrate import upgrade

    from bot.export import export_tables, write_csv, write_xlsx

    settings = _settings(args)
    if args.format == "xlsx" and not args.out:
        print("cocreate: --format xlsx needs --out FILE.xlsx", file=sys.stderr)
        return 2
    registry = build_registry()
    engine = make_engine(args.db or settings.database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        if args.format == "json":
            state = export_state(session, registry=registry, tz=settings.tz)
        else:
            tables = export_tables(session, registry=registry, tz=settings.tz)
    engine.dispose()
    if args.format == "json":
        text = json.dumps(state, ensure_ascii=False, indent=2)
        if args.out:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
        return 0
    if args.format == "xlsx":
        write_xlsx(args.out, tables)
        return 0
    names = [t[0] for t in tables]
    default = "tickets" if "tickets" in names else (names[0] if names else None)
    chosen = next((t for t in tables if t[0] == (args.table or default)), None)
    if chosen is None:
        print(f"cocreate: --table must be one of: {', '.join(names)}", file=sys.stderr)
        return 2
    if args.out:
        with open(args.out, "w", encoding="utf-8-sig", newline="") as handle:
            write_csv(handle, chosen[2], chosen[3])
    else:
        write_csv(sys.stdout, chosen[2], chosen[3])
    return 0


def cmd_roster_import(args) -> int:
    from sqlmodel import select

    from bot.clock import SystemClock
    from bot.roster import import_roster_csv, sync_config
    from storage.db import make_engine, session_scope
    from storage.migrate import upgrade
    from storage.models import Community

    settings = _settings(args)
    keys = [c.key for c in settings.communities]
    key = args.community or (keys[0] if len(keys) == 1 else None)
    if key is None or key not in keys:
        print(f"cocreate: name the community with --community (one of: {', '.join(keys) or 'none configured'})",
              file=sys.stderr)
        return 2
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cocreate: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(args.db or settings.database_url)
    upgrade(engine)
    now = SystemClock(settings.tz).now()
    with session_scope(engine) as session:
        sync_config(session, settings, now=now)
        community = session.exec(select(Community).where(Community.key == key)).one()
        report = import_roster_csv(session, community=community, text=text, now=now)
    engine.dispose()
    for error in report.errors:
        print(f"{args.file}: {error}", file=sys.stderr)
    print(f"导入完成：{report.households} 户，{report.members} 人；{len(report.errors)} 行有误。")
    return 1 if report.errors else 0


def cmd_parse(args) -> int:
    from handlers.tickets.parse_cli import run

    return run(sys.stdin, sys.stdout)


def cmd_demo(args) -> int:
    from bot.demo import play

    return play(sys.stdout, as_json=args.json)


def cmd_check(args) -> int:
    settings = _settings(args)
    for c in settings.communities:
        print(f"{c.name}（{c.key}）：{len(c.buildings)} 栋，{len(c.households)} 户，"
              f"{len(c.chats)} 个群，{len(c.members)} 名登记成员")
    print(f"数据库：{args.db or settings.database_url}；时区：{settings.timezone}")
    from bot.adapters.platforms import platform_adapters

    adapters = platform_adapters(settings)
    served = "、".join(a.describe() for a in adapters) if adapters else "未配置微信或 Telegram，run 时使用控制台"
    print(f"平台：{served}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
