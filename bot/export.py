"""``cocreate export``: the stored state as one JSON object (keys documented in the README)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from bot.router import Registry
from storage.models import BindingRequest, Building, Chat, Community, Compound, Grid, Household, Member, MemberIdentity

SCHEMA_VERSION = 1


def member_refs(session: Session) -> dict[int, str]:
    """The id each member is shown by: the config key, else a platform id (console ids bare)."""
    refs: dict[int, str] = {}
    for member_id, key in session.exec(select(Member.id, Member.key)):
        if key:
            refs[member_id] = key
    for identity in session.exec(select(MemberIdentity).order_by(MemberIdentity.id)):
        if identity.member_id not in refs:
            refs[identity.member_id] = (
                identity.external_id if identity.platform == "console" else f"{identity.platform}:{identity.external_id}"
            )
    return refs


def iso(moment: datetime | None, tz) -> str | None:
    return moment.astimezone(tz).isoformat() if moment else None


def export_state(session: Session, *, registry: Registry, tz) -> dict[str, Any]:
    """Everything stored, as plain JSON-able data."""
    refs = member_refs(session)
    buildings = {b.id: b for b in session.exec(select(Building))}
    grids = {g.id: g for g in session.exec(select(Grid))}
    compounds = {c.id: c for c in session.exec(select(Compound))}
    households = {h.id: h for h in session.exec(select(Household).order_by(Household.id))}
    members = list(session.exec(select(Member).order_by(Member.id)))
    state: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "communities": [
            {
                "key": c.key,
                "name": c.name,
                "compounds": [{"key": x.key, "name": x.name} for x in compounds.values() if x.community_id == c.id],
                "grids": [{"key": g.key, "name": g.name} for g in grids.values() if g.community_id == c.id],
                "buildings": [
                    {
                        "number": b.number,
                        "grid": grids[b.grid_id].key if b.grid_id else None,
                        "compound": compounds[b.compound_id].key if b.compound_id else None,
                        "units": b.units,
                    }
                    for b in buildings.values() if b.community_id == c.id
                ],
            }
            for c in session.exec(select(Community).order_by(Community.id))
        ],
        "chats": [
            {
                "key": ch.key,
                "name": ch.name,
                "kind": ch.kind,
                "scope": _scope(ch, buildings, grids, compounds),
                "platform": ch.platform,
                "passive_reports": ch.passive_reports,
            }
            for ch in session.exec(select(Chat).order_by(Chat.id))
        ],
        "households": [
            {
                "code": h.code,
                "building": buildings[h.building_id].number,
                "unit": h.unit,
                "room": h.room,
                "area_m2": h.area_m2,
                "members": [refs[m.id] for m in members if m.household_id == h.id],
            }
            for h in households.values()
        ],
        "members": [
            {
                "member": refs.get(m.id),
                "name": m.display_name,
                "role": m.role,
                "building": buildings[m.building_id].number if m.building_id else None,
                "grid": grids[m.grid_id].key if m.grid_id else None,
                "household": households[m.household_id].code if m.household_id else None,
            }
            for m in members
        ],
        "bindings": [
            {
                "id": r.id,
                "member": refs.get(r.member_id),
                "household": households[r.household_id].code,
                "status": r.status,
                "decided_by": refs.get(r.decided_by_id) if r.decided_by_id else None,
                "created_at": iso(r.created_at, tz),
            }
            for r in session.exec(select(BindingRequest).order_by(BindingRequest.id))
        ],
    }
    for key, exporter in registry.exporters.items():
        state[key] = exporter(session, refs=refs, tz=tz)
    return state


def _scope(chat: Chat, buildings, grids, compounds) -> str:
    if chat.building_id:
        return f"building:{buildings[chat.building_id].number}"
    if chat.grid_id:
        return f"grid:{grids[chat.grid_id].key}"
    if chat.compound_id:
        return f"compound:{compounds[chat.compound_id].key}"
    return chat.kind


def export_tables(session: Session, *, registry: Registry, tz) -> list[tuple[str, str, list[str], list[list]]]:
    """Every registered flat table as (name, title, headers, rows)."""
    refs = member_refs(session)
    result = []
    for name, (title, fn) in registry.tables.items():
        headers, rows = fn(session, refs=refs, tz=tz)
        result.append((name, title, list(headers), [list(r) for r in rows]))
    return result


def write_xlsx(path, tables) -> None:
    """One sheet per table, with a bold frozen header row and sensible column widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for _name, title, headers, rows in tables:
        sheet = book.create_sheet(title=title[:31])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(v) for v in row])
        sheet.freeze_panes = "A2"
        for index, header in enumerate(headers, start=1):
            width = max([len(str(header))] + [len(str(r[index - 1])) for r in rows[:200] if r[index - 1] is not None])
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(max(width * 1.6, 8), 60)
    book.save(path)


def write_csv(stream, headers: list[str], rows: list[list]) -> None:
    """One table as CSV (UTF-8 with a BOM when written to a file, so Excel shows Chinese)."""
    import csv

    writer = csv.writer(stream)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])


def _cell(value):
    if isinstance(value, (list, tuple, dict)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value
