"""Charts for announcements (poll results, weekly points), drawn with matplotlib in a CJK font.

Chinese labels must never render as boxes: the font is Noto Sans CJK SC, shipped inside the
pinned ``mplfonts`` package, registered with matplotlib by file path, so no system font
(and no network) is needed.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

FONT_FILE = "NotoSansCJKsc-Regular.otf"
_lock = threading.Lock()
_family: str | None = None


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: a label, its value, and the text printed at its end."""

    label: str
    value: float
    note: str = ""


def cjk_font_path() -> Path:
    """The bundled CJK font file."""
    return Path(str(resources.files("mplfonts") / "fonts" / FONT_FILE))


def cjk_family() -> str:
    """Register the CJK font with matplotlib (once) and return its family name."""
    global _family
    with _lock:
        if _family is None:
            import matplotlib

            matplotlib.use("Agg")
            from matplotlib import font_manager

            path = cjk_font_path()
            font_manager.fontManager.addfont(str(path))
            _family = font_manager.FontProperties(fname=str(path)).get_name()
    return _family


def bar_chart(path: Path, *, title: str, bars: list[Bar], subtitle: str = "") -> Path:
    """Draw horizontal bars (first bar on top) into a PNG at ``path`` and return it."""
    family = cjk_family()
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    height = 1.2 + 0.45 * max(len(bars), 1)
    with _lock, plt.rc_context({"font.family": family, "axes.unicode_minus": False}):
        fig, ax = plt.subplots(figsize=(6.4, height), dpi=110)
        try:
            labels = [b.label for b in bars][::-1]
            values = [b.value for b in bars][::-1]
            ax.barh(labels, values, color="#d9534f")
            top = max(values, default=0) or 1
            for y, b in enumerate(bars[::-1]):
                ax.text(b.value + top * 0.01, y, b.note or f"{b.value:g}", va="center", fontsize=9)
            ax.set_xlim(0, top * 1.25)
            ax.set_title(title + (f"\n{subtitle}" if subtitle else ""), fontsize=12)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            fig.tight_layout()
            fig.savefig(path, format="png")
        finally:
            plt.close(fig)
    return path
