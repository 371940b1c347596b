"""The config file: clear errors with line numbers, environment overrides."""
from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings
from tests.support.testbot import DATA


def write(tmp_path, text: str):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_config_and_the_test_config_load():
    from pathlib import Path

    example = load_settings(Path(__file__).resolve().parent.parent / "config.example.yaml")
    assert example.communities[0].name == "棉花社区"
    assert load_settings(DATA / "community.yaml").communities[0].key == "hexie"


def test_broken_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "timezone: Asia/Shanghai\ncommunities:\n  - key: a\n    name: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert f"{path}:" in str(err.value) and "YAML error" in str(err.value)


def test_a_wrong_value_names_its_line_and_field(tmp_path):
    path = write(tmp_path, "communities:\n  - key: a\n    name: A\n    chats:\n      - key: c\n        name: C\n"
                           "        scope: floor:3\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    message = str(err.value)
    assert f"{path}:5" in message or f"{path}:7" in message
    assert "communities.0.chats.0.scope" in message


def test_references_must_resolve(tmp_path):
    path = write(tmp_path, "communities:\n  - key: a\n    name: A\n    buildings: [{number: 1, grid: nope}]\n")
    with pytest.raises(ConfigError, match="unknown grid 'nope'"):
        load_settings(path)


def test_a_leader_needs_a_scope(tmp_path):
    path = write(tmp_path, "communities:\n  - key: a\n    name: A\n    members: [{key: x, name: X, role: grid_leader}]\n")
    with pytest.raises(ConfigError, match="grid_leader needs `grid`"):
        load_settings(path)


def test_unknown_keys_and_time_zones_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="unknown time zone"):
        load_settings(write(tmp_path, "timezone: Mars/Olympus\n"))
    with pytest.raises(ConfigError, match="Extra inputs"):
        load_settings(write(tmp_path, "communities:\n  - key: a\n    name: A\n    nmae: typo\n"))


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "absent.yaml")


def test_the_environment_overrides_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, "database_url: sqlite:///from-file.db\ntimezone: Asia/Shanghai\n")
    monkeypatch.setenv("DATABASE_URL", "postgresql://somewhere/db")
    monkeypatch.setenv("COCREATE_TIMEZONE", "Asia/Urumqi")
    settings = load_settings(path)
    assert settings.database_url == "postgresql://somewhere/db"
    assert settings.timezone == "Asia/Urumqi"
