"""The command line as an operator uses it: run on the console, replay, export, roster import, check."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.testbot import DATA

ROOT = Path(__file__).resolve().parent.parent


def cocreate(*args: str, stdin: str = "", cwd: Path | None = None, env: dict | None = None):
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full_env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
        cwd=cwd or ROOT, env=full_env, timeout=120,
    )


def test_run_serves_the_console_until_stdin_ends(tmp_path):
    db = f"sqlite:///{tmp_path}/run.db"
    result = cocreate("run", "--config", str(DATA / "community.yaml"), "--db", db, "--chat", "b3",
                      stdin="#帮助\n[bl3@b3] #帮助\n[zhang] #我的信息\n\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout
    assert "[共建助手 → 3栋群] 共建助手可以帮您（居民）" in lines
    assert "共建助手可以帮您（楼栋长）" in lines
    assert "张阿姨：居民" in lines and "3-2-301" in lines


def test_run_with_the_example_config_answers_help(tmp_path):
    result = cocreate("run", "--config", str(ROOT / "config.example.yaml"), "--db", f"sqlite:///{tmp_path}/x.db",
                      stdin="#帮助\n")
    assert result.returncode == 0, result.stderr
    assert "#绑定" in result.stdout


def test_replay_prints_each_sent_message_as_json_and_reports_bad_lines(tmp_path):
    scenario = tmp_path / "s.jsonl"
    scenario.write_text("\n".join([
        json.dumps({"at": "2026-11-23T09:00:00+08:00", "chat": "b3", "sender": "newbie", "name": "小周",
                    "text": "#绑定 3-1-102"}, ensure_ascii=False),
        "{not json",
        json.dumps({"at": "2026-11-23T09:01:00", "chat": "b3", "sender": "x", "text": "hi"}),
        json.dumps({"at": "2026-11-23T09:02:00+08:00", "chat": "nowhere", "sender": "x", "text": "hi"}),
        json.dumps({"at": "2026-11-23T09:05:00+08:00", "chat": "b3", "sender": "bl3", "name": "陈楼长", "text": "1"},
                   ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path}/replay.db"
    result = cocreate("replay", str(scenario), "--config", str(DATA / "community.yaml"), "--db", db)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [set(o) for o in out] == [{"at", "chat", "text", "mentions", "image"}] * 3
    assert out[1]["mentions"] == ["bl3"] and out[1]["at"] == "2026-11-23T09:00:00+08:00"
    assert out[2]["text"].startswith("@小周 已批准") and out[2]["mentions"] == ["newbie"]
    assert f"{scenario}:2: skipped: not JSON" in result.stderr
    assert f"{scenario}:3: skipped: `at` needs a UTC offset" in result.stderr
    assert f"{scenario}:4: skipped: chat 'nowhere' is not in the config" in result.stderr

    exported = cocreate("export", "--format", "json", "--config", str(DATA / "community.yaml"), "--db", db)
    assert exported.returncode == 0, exported.stderr
    state = json.loads(exported.stdout)
    assert {"schema", "communities", "chats", "households", "members", "bindings"} <= set(state)
    assert state["bindings"] == [{"id": 1, "member": "newbie", "household": "3-1-102", "status": "approved",
                                  "decided_by": "bl3", "created_at": "2026-11-23T09:00:00+08:00"}]


def test_replay_until_runs_the_clock_past_the_last_line(tmp_path):
    scenario = tmp_path / "s.jsonl"
    scenario.write_text(json.dumps({"at": "2026-11-23T09:00:00+08:00", "chat": "b3", "sender": "zhang",
                                    "text": "#帮助"}) + "\n", encoding="utf-8")
    result = cocreate("replay", str(scenario), "--config", str(DATA / "community.yaml"),
                      "--until", "2026-11-30T09:00:00+08:00")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_a_broken_config_is_reported_with_its_line_and_nothing_runs(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("communities:\n  - key: a\n    name: A\n    chats:\n      - {key: c, name: C, scope: moon}\n",
                   encoding="utf-8")
    result = cocreate("check", "--config", str(bad))
    assert result.returncode == 2
    assert f"{bad}:5" in result.stderr and "Traceback" not in result.stderr


def test_roster_import_from_the_command_line(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("household,area_m2\n3-2-501,95\n42-1-101,60\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path}/r.db"
    result = cocreate("roster", "import", str(roster), "--config", str(DATA / "community.yaml"), "--db", db)
    assert result.returncode == 1
    assert "导入完成：1 户" in result.stdout and "第3行" in result.stderr
    state = json.loads(cocreate("export", "--config", str(DATA / "community.yaml"), "--db", db).stdout)
    assert {"code": "3-2-501", "building": "3", "unit": "2", "room": "501", "area_m2": 95.0, "members": []} \
        in state["households"]


def test_demo_prints_a_readable_transcript():
    result = cocreate("demo")
    assert result.returncode == 0, result.stderr
    assert "共建助手：" in result.stdout and "↳" in result.stdout


def test_xlsx_and_csv_exports_reopen_with_their_rows(tmp_path):
    from openpyxl import load_workbook

    db = f"sqlite:///{tmp_path}/x.db"
    config = str(DATA / "community.yaml")
    scenario = tmp_path / "s.jsonl"
    scenario.write_text(json.dumps({"at": "2026-11-23T09:00:00+08:00", "chat": "b3", "sender": "zhang",
                                    "text": "#我的信息"}) + "\n", encoding="utf-8")
    assert cocreate("replay", str(scenario), "--config", config, "--db", db).returncode == 0
    assert cocreate("export", "--format", "xlsx", "--config", config, "--db", db).returncode == 2
    result = cocreate("export", "--format", "xlsx", "--out", str(tmp_path / "out.xlsx"), "--config", config, "--db", db)
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(tmp_path / "out.xlsx")["住户名册"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("门牌", "楼栋", "单元", "房号", "面积(㎡)", "住户")
    assert ("3-2-301", "3", "2", "301", 90, "张阿姨") in rows
    csv_out = cocreate("export", "--format", "csv", "--table", "households", "--config", config, "--db", db)
    assert csv_out.returncode == 0 and "3-2-301,3,2,301,90.0,张阿姨" in csv_out.stdout
    assert cocreate("export", "--format", "csv", "--table", "nope", "--config", config, "--db", db).returncode == 2
