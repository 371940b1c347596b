"""``cocreate demo``: a built-in week in a compound, played through replay, printed as a transcript."""
from __future__ import annotations

import tempfile
from pathlib import Path
from importlib import resources
from typing import TextIO

from bot.adapters.replay import outgoing_json, read_scenario
from bot.config import load_settings
from bot.events import ChoiceSelected, Outgoing
from bot.render import as_text

WEEKDAYS = "一二三四五六日"


def _stamp(moment) -> str:
    return f"周{WEEKDAYS[moment.weekday()]} {moment:%m-%d %H:%M}"


def scenario_events(package, *, bot_name: str) -> list:
    """Every fragment in ``scenario/`` (one per feature), merged into one week by time."""
    events = []
    for fragment in sorted(package.joinpath("scenario").iterdir(), key=lambda p: p.name):
        if fragment.name.endswith(".jsonl"):
            lines = fragment.read_text(encoding="utf-8").splitlines()
            events.extend(read_scenario(lines, source=f"demo/{fragment.name}", bot_name=bot_name))
    return sorted(events, key=lambda item: item.event.at)


def play(out: TextIO, *, as_json: bool = False) -> int:
    """Play the demo scenario on a fresh database and print what everyone saw."""
    from bot.runtime import SimulatedRuntime

    package = resources.files(__package__)
    with resources.as_file(package / "config.yaml") as config_path:
        settings = load_settings(config_path)
    tz = settings.tz
    chat_names = {c.key: c.name for community in settings.communities for c in community.chats}
    events = scenario_events(package, bot_name=settings.bot_name)

    def sink(outgoing: Outgoing) -> None:
        if as_json:
            out.write(outgoing_json(outgoing, tz=tz) + "\n")
            return
        body = as_text(outgoing).replace("\n", "\n      ")
        out.write(f"  ↳ {_stamp(outgoing.at.astimezone(tz))} [{outgoing.chat_name}] {settings.bot_name}：{body}\n")

    with tempfile.TemporaryDirectory(prefix="cocreate-demo-") as tmp:
        settings = settings.model_copy(update={"data_dir": Path(tmp) / "files"})
        runtime = SimulatedRuntime(settings, start=events[0].event.at, sink=sink,
                                   database_url=f"sqlite:///{tmp}/demo.db")
        try:
            for item in events:
                event = item.event
                # Scheduled work due before this line is printed before it, in time order.
                runtime.advance_to(event.at)
                if not as_json:
                    said = f"（点选 {event.action}）" if isinstance(event, ChoiceSelected) else event.text
                    out.write(f"{_stamp(event.at.astimezone(tz))} [{chat_names.get(event.chat_id, event.chat_id)}] "
                              f"{event.sender_name}：{said}\n")
                runtime.handle(event)
        finally:
            runtime.close()
    return 0
