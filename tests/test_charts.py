"""Charts render Chinese with a real CJK font, never as boxes."""
from __future__ import annotations

import warnings

from bot.charts import Bar, bar_chart, cjk_family, cjk_font_path


def test_the_font_found_is_a_cjk_font_with_chinese_glyphs():
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    family = cjk_family()
    assert "CJK" in family
    resolved = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    font = FT2Font(resolved)
    for char in "外墙颜色米黄棉花白积分榜楼栋":
        assert font.get_char_index(ord(char)) != 0, char
    assert resolved == str(cjk_font_path())


def test_a_chart_with_chinese_labels_renders_without_missing_glyphs(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = bar_chart(tmp_path / "poll.png", title="外墙刷什么颜色？", subtitle="共 37 票",
                         bars=[Bar("灰色", 12), Bar("米黄色", 5, "5 票"), Bar("棉花白", 20)])
    assert not [w for w in caught if "missing from font" in str(w.message)]
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
