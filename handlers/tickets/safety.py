"""One-line safety hints sent with urgent reports, chosen by what the report is about."""
from __future__ import annotations

# First match wins: the more specific dangers come before the general ones.
_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("煤气", "燃气", "天然气", "漏气", "煤氣", "燃氣"), "请拨打119，立即离开楼栋；不要开关电器、不要点火。"),
    (("着火", "起火", "失火", "冒烟", "火灾", "烧起来", "著火", "火苗"), "请拨打119，立即离开楼栋，不要乘电梯。"),
    (("电梯", "電梯", "电悌"), "被困的人请勿扒门，按警铃或拨打电梯内的救援电话，等待救援。"),
    (("晕倒", "昏倒", "摔倒", "倒地", "昏迷", "不省人事", "抽搐", "出血", "心脏", "喘不上气", "受伤"),
     "请拨打120，不要随意搬动伤者，有人陪在身边。"),
    (("走丢", "走失", "没回来", "找不到人", "不见了", "没回家"), "请拨打110报警，并发动邻居帮忙寻找。"),
    (("电线", "漏电", "触电", "电缆", "打火花"), "请远离电线，不要触碰，拨打95598。"),
    (("爆管", "水管爆", "爆了", "淹", "进水", "漫出来"), "请关闭总水阀，远离积水处的电器和插座。"),
    (("井盖",), "请在井口旁做好警示，提醒行人绕行。"),
    (("小偷", "撬门", "撬锁", "抢劫", "持刀", "打人", "正在偷"), "请拨打110，注意自身安全，不要独自上前。"),
    (("掉下来", "要掉", "快掉", "摇摇欲坠", "砸到", "松动"), "请远离下方区域，提醒行人绕行。"),
)


def safety_hint(text: str, category: str) -> str | None:
    """The hint for an urgent report's text, if any applies."""
    for words, hint in _HINTS:
        if any(w in text for w in words):
            return hint
    if category == "安全隐患":
        return "请远离危险区域，必要时拨打119或110。"
    return None
