"""Where adapters keep pictures people post: files under ``data_dir/incoming/<platform>/``."""
from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from bot.events import Image

UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def incoming_path(data_dir: Path, platform: str, message_id: str, name: str = "") -> Path:
    """A fresh path for a file from message ``message_id``, keeping the original suffix."""
    suffix = Path(name).suffix.lower() if name else ""
    if not re.fullmatch(r"\.[a-z0-9]{1,5}", suffix):
        suffix = ".jpg"
    folder = data_dir / "incoming" / platform
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{UNSAFE.sub('_', message_id)[:100]}{suffix}"


def saved_image(path: Path) -> Image:
    """An ``Image`` for a saved file, its type guessed from the suffix."""
    return Image(str(path), mimetypes.guess_type(path.name)[0] or "image/jpeg")
