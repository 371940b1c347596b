"""Large communities for the benchmarks: settings for many buildings and chats, people in bulk.

People are inserted with Core executemany (not played through the bot): the point is to
measure the bot against a big roster, not the cost of building one.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import psycopg
from sqlalchemy import insert, select

PG_ADMIN_URL = os.environ.get("COCREATE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)


def community_settings(*, buildings: int, grids: int = 8, data_dir: Path, database_url: str,
                       leaders: bool = True):
    """One community with ``buildings`` buildings in ``grids`` grids and the "1+N" chats."""
    from bot.config import Settings

    grid_list = [{"key": f"g{i}", "name": f"第{i}网格"} for i in range(1, grids + 1)]
    building_list = [{"number": str(n), "grid": f"g{(n - 1) % grids + 1}", "units": 2}
                     for n in range(1, buildings + 1)]
    chats = [{"key": "all", "name": "社区大群", "scope": "community"},
             {"key": "lead", "name": "骨干群", "scope": "leaders"},
             *({"key": f"b{n}", "name": f"{n}栋群", "scope": f"building:{n}"} for n in range(1, buildings + 1))]
    members = [{"key": "staff", "name": "书记", "role": "staff"}]
    if leaders:
        members += [{"key": f"gl{i}", "name": f"网格长{i}", "role": "grid_leader", "grid": f"g{i}"}
                    for i in range(1, grids + 1)]
    return Settings(database_url=database_url, data_dir=data_dir, communities=[{
        "key": "bench", "name": "压测社区", "grids": grid_list, "buildings": building_list,
        "chats": chats, "members": members,
    }])


def load_people(engine, *, households_per_building: int, members_per_household: int) -> int:
    """Households (with areas) and members bound to them, each with a console identity ``m<n>``.

    Returns how many members were loaded. Members are spread over the buildings in order,
    so member ``m<n>`` lives in building ``1 + (n // (households_per_building * members_per_household))``.
    """
    from storage.models import Building, Community, Household, Member, MemberIdentity

    with engine.begin() as conn:
        community_id = conn.execute(select(Community.id).where(Community.key == "bench")).scalar_one()
        buildings = conn.execute(
            select(Building.id, Building.number).where(Building.community_id == community_id).order_by(Building.id)
        ).all()
        households = []
        for building_id, number in buildings:
            for h in range(households_per_building):
                unit, room = 1 + h % 2, 101 + h // 2
                households.append({"community_id": community_id, "building_id": building_id, "unit": str(unit),
                                   "room": str(room), "code": f"{number}-{unit}-{room}", "area_m2": 60 + h % 50})
        conn.execute(insert(Household.__table__), households)
        household_ids = conn.execute(
            select(Household.id).where(Household.community_id == community_id).order_by(Household.id)
        ).scalars().all()
        members, n = [], 0
        for household_id in household_ids:
            for _ in range(members_per_household):
                members.append({"community_id": community_id, "key": f"m{n}", "display_name": f"居民{n}",
                                "role": "resident", "role_from_config": False, "household_id": household_id,
                                "public_as_building": False, "created_at": NOW})
                n += 1
        for start in range(0, len(members), 5000):
            conn.execute(insert(Member.__table__), members[start:start + 5000])
        ids = conn.execute(select(Member.id, Member.key).where(Member.key.like("m%"))).all()
        identities = [{"member_id": member_id, "platform": "console", "external_id": key} for member_id, key in ids]
        for start in range(0, len(identities), 5000):
            conn.execute(insert(MemberIdentity.__table__), identities[start:start + 5000])
    return n


def pg_reachable() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("select 1")
        return True
    except Exception:
        return False


@contextmanager
def fresh_database(backend: str, directory: str, name: str):
    """A fresh database URL on ``backend`` ("sqlite" or "postgresql"), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory}/{name}.db"
        return
    db = f"cocreate_bench_{name}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{db}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
