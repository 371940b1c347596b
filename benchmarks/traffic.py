"""Synthetic group-chat traffic: 70% chit-chat, 20% commands, 10% reports."""
from __future__ import annotations

import random

CHITCHAT = [
    "早上好🌹", "收到", "好的👍", "谢谢杨书记 辛苦了🙏", "今天天气真好", "哈哈哈 笑死我了",
    "[强][强][强]", "明天几点集合", "晓得了", "有人去菜场吗 帮我带点葱", "孙子今天考试 加油",
    "这个视频大家看看", "晚上广场舞换到篮球场了", "楼下的桂花开了 好香", "收到收到",
]
COMMANDS = ["#帮助", "#我的信息", "＃帮助 绑定", "#待审核", "#帮组"]
REPORTS = [
    "3栋2单元楼道灯坏了好几天了 晚上黑漆漆的", "消防通道又被小车堵死了", "楼上装修周日也在打电钻",
    "2栋门口垃圾桶满了两天没人清 臭死了", "电梯又坏了 停在6楼不动", "1-1-101 楼上卫生间漏水到我家",
    "车棚里又丢了一个电瓶", "花坛被车压坏了 花都倒了",
]


def mixed(n: int, *, senders: list[str], chats: list[str], seed: int = 7) -> list[tuple[str, str, str]]:
    """``n`` (chat, sender, text) triples in the 70/20/10 mix, reproducible from ``seed``."""
    rng = random.Random(seed)
    result = []
    for _ in range(n):
        roll = rng.random()
        pool = CHITCHAT if roll < 0.7 else COMMANDS if roll < 0.9 else REPORTS
        result.append((rng.choice(chats), rng.choice(senders), rng.choice(pool)))
    return result
