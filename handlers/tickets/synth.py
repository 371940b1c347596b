"""A synthetic labeled corpus for the character models (train.py), built from the labeling guide's
classes rather than from any particular sentences.

    python -m handlers.tickets.synth [--seed N] [--out FILE] [--per-category N]

Every category of LABELING.md section 2 is a set of scenarios, each an object class x a predicate
class ("a facility" x "broken", "a plant" x "overgrown", "a vehicle" x "blocking a door" ...),
with long lists of everyday nouns and phrasings for both.  Non-reports are built the same way
(notices that use hazard words, all-clears, procedure questions, poll answers, sign-ups, payments,
ads, forwards, chit-chat).  A message is then dressed in one of many chat styles: a location
(building / unit / room forms of section 3, or floors and place names that are not locations),
time phrases, complaints and requests, @mentions, dialect, common typos, emoji, with or without
punctuation.  Labels (category, urgency, location) hold by construction.

Deterministic for a given seed (random.Random), so train.py can rebuild the same model.
"""
import argparse
import json
import random
import sys

DEFAULT_SEED = 20240607
PER_CATEGORY = 900      # reports per category
NON_REPORTS = 6000

ENV, FAC, SAFE, SEC, PARK, BUILD = "环境卫生", "设施维修", "安全隐患", "治安防范", "停车交通", "违章搭建"
GREEN, NOISE, NEIGH, PROP, SERV, OTHER = "绿化养护", "噪音扰民", "邻里纠纷", "物业服务", "便民服务", "其他"


def _w(text):
    return text.split()


# ---------------------------------------------------------------- shared pieces

PLACES = _w("""楼道 楼道里 楼梯间 楼梯口 单元门口 大门口 东门 西门 南门 北门 后门 侧门 车棚 电动车棚 自行车棚
地下车库 地下室 楼顶 天台 中心花园 小花园 小广场 篮球场 羽毛球场 健身区 活动室门口 垃圾站旁边 垃圾房边上
围墙边 围墙外面 主干道 小区路上 小区里 幼儿园门口 菜场门口 二期 三期 东区 西区 北区 南区 老年活动中心门口
门卫室旁边 快递柜旁边 步道边上 停车场 电梯口 一楼大厅 楼后面 楼前面 楼下 我家楼下 我们单元 对面楼下 路口
小区门口 凉亭边上 池塘边 河边 水塘边 假山旁边 宣传栏旁边 配电房旁边 水泵房旁边 锅炉房后面 篮球场旁边
球场边 花坛边 绿化带边上 人行道上 单元楼后面 两栋楼中间 楼与楼之间 拐角 转角 大门边上 岗亭旁边""")
TIMES = _w("""好几天了 一个礼拜了 半个月了 一个多月了 两三天了 好久了 几个月了 大半年了 一直是这样 天天这样
昨天开始 今天早上 这几天 最近 晚上 每天晚上 清早八晨 一大早 半夜 周末 这段时间 从上个月开始 又这样了""")
ASKS = _w("""麻烦处理一下 麻烦看一下 请物业处理 社区管一下 物业来看看 找人来修一下 能不能解决一下 请尽快处理
希望早点解决 哪个来管一下 到底有冇得人管 谁来管管 麻烦派人来看看 请网格员反映一下 帮忙协调一下
赶紧弄一下 快点安排人 求求了 请相关部门处理 物业管不管 社区能不能出面""")
GRIPES = _w("""说了好几次都冇用 也冇人管 一直没人来 反映了好多次 拖了好久 讲了也不听 没人理 打电话也没人接
真是受不了 太不像话了 造孽 烦死了 气死人 搞么斯啊 么样搞的 好麻烦 实在是没办法 真的服了""")
EMOJI = ["😡", "😤", "🙏", "[捂脸]", "[发怒]", "[流泪]", "[抱拳]", "!!", "！！", "？", "😭", "👍", "🌹", ""]
MENTIONS = _w("@物业 @网格员小王 @楼栋长 @杨书记 @社区刘姐 @物业张经理 @网格长 @李主任 @物业客服 @陈姐")
OPENERS = ["各位邻居 ", "大家好 ", "我是{B}的 ", "反映个问题 ", "说个事 ", "问一下 ", "请问 ", "你好 ",
           "书记好 ", "我想反映一下 ", "求助 ", "投诉 ", "又来了 ", ""]

# (text, building, unit, room): location forms of section 3, and things that look like them but are not.
_CN = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五",
       "十六", "十七", "十八", "十九", "二十", "二十一", "二十二", "二十三", "二十四", "二十五", "二十六", "二十七",
       "二十八", "二十九", "三十", "三十一", "三十二"]
LETTERS = "ABCDEFGHK"


def _location(rng):
    """A location phrase and its labels (building, unit, room)."""
    b = rng.randint(1, 32)
    u = rng.randint(1, 6)
    room = f"{rng.randint(1, 26)}{rng.randint(1, 4):02d}"
    kind = rng.randrange(26)
    if kind == 0:
        return f"{b}栋", str(b), None, None
    if kind == 1:
        return f"{_CN[b]}栋", str(b), None, None
    if kind == 2:
        return f"第{_CN[b]}栋", str(b), None, None
    if kind == 3:
        return f"{b}号楼", str(b), None, None
    if kind == 4:
        return f"{b}#楼", str(b), None, None
    if kind == 5:
        return f"{_CN[b]}幢", str(b), None, None
    if kind == 6:
        letter = rng.choice(LETTERS)
        return f"{letter}{rng.choice(['栋', '座', '棟'])}", letter, None, None
    if kind == 7:
        return f"{b}栋{u}单元", str(b), str(u), None
    if kind == 8:
        return f"{_CN[b]}栋{_CN[u]}单元", str(b), str(u), None
    if kind == 9:
        return f"{b}-{u}-{room}", str(b), str(u), room
    if kind == 10:
        return f"{b}栋{room}", str(b), None, room
    if kind == 11:
        return f"我家{room}", None, None, room
    if kind == 12:
        return f"{_CN[u]}单元", None, str(u), None
    if kind == 13:
        return f"{u}单元", None, str(u), None
    if kind == 14:
        return f"{b}号单元", str(b), None, None
    if kind == 15:
        return f"{b}号{u}单元", str(b), str(u), None
    if kind == 16:
        return f"{b}栋{rng.randint(2, 18)}楼", str(b), None, None
    if kind == 17:
        return f"{_CN[rng.randint(1, 18)]}楼", None, None, None
    if kind == 18:
        return f"{rng.randint(1, 5)}号车棚", None, None, None
    if kind == 19:
        return rng.choice(["这栋楼", "整栋楼", "对面那栋", "隔壁单元", "我们这栋", "对面楼"]), None, None, None
    if kind == 20:
        return rng.choice(["二期", "三期", "东区", "西区", "北区", "老小区", "还建小区", "丝绸厂宿舍"]), None, None, None
    if kind == 21:
        return f"{_CN[b]}號樓", str(b), None, None
    return "", None, None, None


def _dress(rng, text, urgent=False):
    """Chat style around the core text of a report."""
    parts = [text]
    if not urgent:
        r = rng.random()
        if r < 0.25:
            parts.append(rng.choice(TIMES))
        if rng.random() < 0.3:
            parts.append(rng.choice(GRIPES))
        if rng.random() < 0.35:
            parts.append(rng.choice(ASKS))
    return " ".join(parts)


_DIALECT = [("没有", "冇得"), ("没人", "冇人"), ("什么", "么斯"), ("怎么", "么样"), ("去", "克"),
            ("小孩", "细伢"), ("孩子", "伢"), ("很", "蛮"), ("坏了", "拐哒"), ("这么", "咯样"), ("没", "冇")]
_TYPOS = [("楼道", "楼到"), ("电梯", "电悌"), ("反映", "反应"), ("已经", "以经"), ("垃圾", "拉圾"),
          ("下水道", "下水到"), ("维修", "维休"), ("物业", "物叶"), ("厕所", "侧所")]


def _style(rng, text):
    if rng.random() < 0.25:
        for a, b in _DIALECT:
            if a in text and rng.random() < 0.6:
                text = text.replace(a, b)
    if rng.random() < 0.12:
        a, b = rng.choice(_TYPOS)
        text = text.replace(a, b)
    r = rng.random()
    if r < 0.15:
        text = text.replace(" ", "，")
    elif r < 0.25:
        text = text.replace(" ", "")
    elif r < 0.3:
        text = text.replace(" ", "。") + "。"
    if rng.random() < 0.25:
        text += rng.choice(EMOJI)
    if rng.random() < 0.12:
        text = rng.choice(MENTIONS) + " " + text
    return text


# ---------------------------------------------------------------- reports, by category
# Each scenario: (weight, function rng -> (core text, urgent)).

def pick(rng, words):
    return rng.choice(words)


GARBAGE = _w("""垃圾 生活垃圾 建筑垃圾 装修垃圾 果皮 烟头 外卖盒 饮料瓶 塑料袋 剩饭剩菜 厨余垃圾 旧衣服 碎玻璃
纸箱 泡沫箱 旧家具 破沙发 旧床垫 瓜子壳 槟榔渣 废纸 口罩 快递盒 啤酒瓶 破鞋子 编织袋 煤渣 碎砖头 烂木板
旧马桶 废油桶 破桌子 烂菜叶 枯树叶 树枝 大件垃圾 黑色垃圾袋 西瓜皮 玉米棒子 鸡骨头 鱼刺 易拉罐 纸尿裤""")
GARBAGE_P = _w("""堆了好几天没人清 扔得到处都是 满地都是 堆成山了 没人收 一直没人清运 堆在那里发臭 被人乱丢
撒了一地 扔在路中间 还没清走 越堆越多 被狗翻得到处都是 堆在门口 丢在楼梯上 漫出来了 冇人收拾""")
PESTS = _w("""老鼠 蟑螂 苍蝇 蚊子 蛆 跳蚤 臭虫 飞蛾 蚂蚁 蠓虫 蜘蛛 潮虫 蜈蚣 果蝇 小飞虫 大老鼠 米虫 蚰蜒 鼻涕虫 蠹虫""")
PESTS_P = _w("""好多 成群结队 到处爬 乱窜 大白天都在跑 泛滥了 越来越多 飞得到处都是 钻到家里来了 建议统一消杀
要打药灭一下 一窝一窝的 把东西都咬烂了 晚上出来到处跑 赶都赶不走 密密麻麻的""")
FILTH = _w("""狗屎 猫屎 鸟屎 鸽子粪 呕吐物 痰 尿渍 污水 油污 泔水 粪水 死老鼠 死猫 死鸟 鱼内脏 鸡毛 狗尿 猫砂
烂泥 黑水 脏水 油渍 血迹 鸭毛""")
FILTH_P = _w("""没人扫 踩了一脚 到处都是 臭烘烘的 好几天没人清理 苍蝇围着转 恶心死了 没人冲 一直在那里 流了一地""")
ADS = _w("""小广告 牛皮癣 开锁广告 办证广告 贷款广告 涂鸦 招租广告 疏通广告 搬家广告 培训广告 传单 喷漆广告""")
ADS_P = _w("""贴满了 撕了又贴 到处都是 写满了墙 贴得密密麻麻 喷得到处都是 塞满了信箱 贴在电梯里 铲都铲不掉""")
SMELL = _w("""臭味 异味 恶臭 馊味 尿骚味 腥臭味 垃圾的味道 臭水沟的味道 下水沟的臭味 粪臭 酸臭味 霉味 化粪池的味道""")
SMELL_P = _w("""熏得人受不了 窗户都不敢开 好大一股 一到夏天就飘过来 臭得要死 闻了想吐 一直散不掉 从早臭到晚""")
DIRTY_SPOTS = _w("""楼道 电梯里 楼梯扶手 垃圾桶周围 单元门口 信报箱 宣传栏 凉亭 健身器材 楼梯台阶 车棚地面 地下室
电梯按钮 公共厕所 小区水池 喷泉池 窗台 楼道窗户 消防通道口 路边排水沟""")
DIRTY_P = _w("""脏得很 全是灰 油乎乎的 黑乎乎的 好久没人打扫 一层灰 黏糊糊的 脏兮兮的 全是污渍 看着恶心 积了厚厚一层泥""")


def s_env(rng):
    k = rng.randrange(8)
    p = pick(rng, PLACES)
    if k == 0:
        return f"{p}的{pick(rng, GARBAGE)}{pick(rng, GARBAGE_P)}", False
    if k == 1:
        return f"{p}{pick(rng, PESTS)}{pick(rng, PESTS_P)}", False
    if k == 2:
        return f"{p}有{pick(rng, FILTH)} {pick(rng, FILTH_P)}", False
    if k == 3:
        return f"{p}的墙上{pick(rng, ADS)}{pick(rng, ADS_P)}", False
    if k == 4:
        return f"{p}一股{pick(rng, SMELL)} {pick(rng, SMELL_P)}", False
    if k == 5:
        return f"{pick(rng, DIRTY_SPOTS)}{pick(rng, DIRTY_P)}", False
    if k == 6:
        animal = pick(rng, _w("流浪猫 流浪狗 野猫 野狗 黄鼠狼 野鸽子"))
        what = pick(rng, _w("翻垃圾桶 把垃圾袋扯得到处都是 在花坛里拉屎 把楼道搞得臭烘烘的 在车棚里拉得到处都是"))
        return f"{p}好多{animal} {what}", False
    return f"{p}堆了好多{pick(rng, GARBAGE)}和{pick(rng, GARBAGE)} {pick(rng, _w('上下楼都要侧身 过都过不去 看着好乱 招虫子'))}", False


LIGHTS = _w("""楼道灯 路灯 声控灯 感应灯 楼梯灯 单元门口的灯 车库的灯 车棚的灯 庭院灯 草坪灯 景观灯 电梯里的灯
走廊灯 门头灯 路口的灯 篮球场的灯 灯泡 灯管 吸顶灯 应急照明""")
LIGHTS_P = _w("""不亮了 坏了 一闪一闪的 时亮时不亮 白天也亮着 拐哒 晚上一片黑 烧了 黑漆漆的 跺脚也不亮 亮一下就灭
一直不亮 灯罩掉了 只亮一半""")
ELEV = _w("""电梯 电悌 电梯门 电梯按钮 电梯显示屏 电梯轿厢 货梯 客梯 电梯的门""")
ELEV_P = _w("""坏了 停了 门关不上 老是停 有异响 晃得厉害 按了没反应 夹人 平层不准 显示故障 停运好几天了
一会好一会坏 上下抖 咔咔响 到了楼层不开门 按键失灵 停在半中间不动了 又坏了""")
DOORS = _w("""单元门 防盗门 铁门 闭门器 门锁 门把手 大门 伸缩门 道闸 车库卷帘门 门禁 门禁读卡器 人脸识别门禁
可视对讲 对讲门铃 楼道窗户 消防楼梯的门 车棚的门 后门的锁 电子门 门禁系统 单元门的电磁锁 铁栅栏门""")
DOORS_P = _w("""坏了 关不上 打不开 刷不开 锁坏了 没反应 合不拢 掉下来了 卡住了 锈死了 拐哒 识别不了 一推就开
门轴断了 关不严 按了没声音 门禁卡刷了没用 玻璃碎了""")
WATER = _w("""水管 自来水管 水龙头 阀门 水表 水泵 水箱 下水道 下水管 地漏 排水沟 雨水管 落水管 污水管 排污管
总水管 供水管 二次供水 窨井 雨水井 楼顶水箱 公共水龙头 化粪池 排水管道""")
WATER_P = _w("""漏水 堵了 往外冒水 滴个不停 渗水 不出水 水压太小 水是黄的 反水 排不出去 裂了 锈穿了 一直在漏
堵死了 往上返臭水 下不去 水流得到处都是 关不紧""")
STRUCT = _w("""屋顶 楼顶防水 天台 楼道墙面 楼梯台阶 楼梯扶手 楼道窗户 玻璃 天花板 顶楼 外墙 雨棚 屋面""")
STRUCT_P = _w("""漏雨 渗水 掉皮 破了 松了 关不上 碎了 一下雨就滴 发霉起皮 掉了一块 裂了条缝""")
GROUND = _w("""路面 小区道路 人行道砖 地砖 台阶 减速带 停车场地面 健身步道 坡道 路牙子 盲道 水泥路 沥青路""")
GROUND_P = _w("""坑坑洼洼 塌了一块 裂开了 翘起来了 松动了 一下雨就积水 破了好大一块 碎了 被压坏了 凹下去一块 有个大坑""")
AMEN = _w("""健身器材 扭腰器 漫步机 单杠 双杠 秋千 滑梯 跷跷板 篮球架 乒乓球台 晾衣架 晾衣杆 长椅 石凳 凉亭
信报箱 快递柜 宣传栏 座椅 太空漫步机 拉伸器 儿童滑梯 休息椅 报刊栏 垃圾桶 分类垃圾箱 自行车架 晒衣架""")
AMEN_P = _w("""坏了 断了 松了 锈烂了 转不动 掉了一块 裂了 烂了 晃得厉害 螺丝都掉了 用不了 拐哒 少了一根 歪了""")
DEVICES = _w("""监控 摄像头 充电桩 充电插座 充电口 扫码充电器 排气扇 水泵 电表 门铃 广播 路灯开关 烟道 换气扇
电子显示屏 门禁对讲 监控探头 充电柜 充电车棚的插座""")
DEVICES_P = _w("""坏了 黑屏 充不了电 没电 扫码没反应 显示离线 不转了 一直报故障 拍不到东西 插上去不通电 跳闸 没反应""")


def s_fac(rng):
    k = rng.randrange(10)
    if k == 0:
        return f"{pick(rng, PLACES)}的{pick(rng, LIGHTS)}{pick(rng, LIGHTS_P)}", False
    if k == 1:
        return f"{pick(rng, ELEV)}{pick(rng, ELEV_P)}", False
    if k == 2:
        return f"{pick(rng, DOORS)}{pick(rng, DOORS_P)}", False
    if k == 3:
        return f"{pick(rng, PLACES)}的{pick(rng, WATER)}{pick(rng, WATER_P)}", False
    if k == 4:
        return f"{pick(rng, STRUCT)}{pick(rng, STRUCT_P)}", False
    if k == 5:
        return f"{pick(rng, PLACES)}的{pick(rng, GROUND)}{pick(rng, GROUND_P)}", False
    if k == 6:
        return f"{pick(rng, PLACES)}的{pick(rng, AMEN)}{pick(rng, AMEN_P)}", False
    if k == 7:
        return f"{pick(rng, PLACES)}的{pick(rng, DEVICES)}{pick(rng, DEVICES_P)}", False
    if k == 8:  # emergencies of facilities: a burst pipe in a shared area, someone trapped in a lift
        if rng.random() < 0.5:
            pipe = pick(rng, _w("水管 自来水管 总水管 供水管 消防水管 主水管 楼道的水管"))
            what = pick(rng, _w("爆了 水哗哗往外喷 爆裂了 崩开了 爆管了"))
            flood = pick(rng, _w("地下室都淹了 楼道成河了 水漫到路上了 车库进水了 一楼都泡了 水往楼下灌"))
            return f"{pick(rng, PLACES)}的{pipe}{what} {flood}", True
        who = pick(rng, _w("有人 一个老人 一个婆婆 两个细伢 一个小孩 我妈 我爸 一个孕妇 送外卖的 几个人"))
        how = pick(rng, _w("关在电梯里了 被困在电梯里 卡在电梯里出不来 困在里面半个小时了 关在里头 在电梯里出不来了"))
        return f"{pick(rng, ELEV)}坏了 {who}{how} {pick(rng, _w('快叫维保 快来人 按警铃没人应 快打电话 急死了'))}", True
    what = pick(rng, _w("报修了好几次 修了又坏 说来修一直没来 换了新的又坏了 上次修好没几天"))
    return f"{pick(rng, LIGHTS + DOORS + AMEN)}{pick(rng, _w('又坏了 还是坏的 又不行了'))} {what}", False


EBIKE = _w("电动车 电瓶车 电瓶 电动自行车 电摩 电驴 锂电池 电动三轮 电单车")
FIRELANE = _w("消防通道 消防车道 安全出口 疏散通道 逃生通道 楼梯安全出口 应急通道 生命通道")
FIREEQ = _w("灭火器 消防栓 消火栓 消防水带 烟感 消防门 防火门 消防箱 消防栓箱 喷淋头 消防水池 消防水泵")
LOOSE = _w("""外墙瓷砖 广告牌 招牌 空调外机 空调支架 雨棚 阳台花盆 防盗窗 太阳能热水器 窗户玻璃 外墙保温层 铁皮屋顶
彩钢瓦 楼顶的广告架 大树的枯枝 路灯杆 墙上的石块 晾衣架 楼顶的水箱盖""")


def s_safe(rng):
    k = rng.randrange(13)
    p = pick(rng, PLACES)
    if k == 0:
        where = pick(rng, _w("推进楼道里充电 在楼道里充电 推进电梯带上楼充电 放在楼梯间充电 在家里充电 推到一楼大厅充电"))
        return f"有人把{pick(rng, EBIKE)}{where}", False
    if k == 1:
        how = pick(rng, _w("从窗户拉线下来充电 飞线充电 私拉电线充电 用插线板从家里接线下来 拉根电线吊下来充"))
        return f"{p}有人给{pick(rng, EBIKE)}{how}", False
    if k == 2:
        what = pick(rng, _w("被车堵了 堆满了杂物 被锁死了 停满了电动车 被人放了好多东西 被一辆面包车挡住了 堆了旧家具"))
        return f"{p}的{pick(rng, FIRELANE)}{what}", False
    if k == 3:
        what = pick(rng, _w("过期了 是空的 没水 被偷了 坏了 不见了 压力不够 被人拆了 锈得打不开 箱子门掉了 一直在报警"))
        return f"{p}的{pick(rng, FIREEQ)}{what}", False
    if k == 4:
        gas = pick(rng, _w("燃气味 煤气味 天然气的味道 液化气味 一股煤气味 一股燃气味 臭鸡蛋一样的煤气味"))
        tail = pick(rng, _w("好浓 越来越大 快来人 不敢开灯 是不是漏气了 嘶嘶响 大家小心"))
        return f"{p}闻到{gas} {tail}", True
    if k == 5:
        wire = pick(rng, _w("电线 线头 电缆 一根电线 好几根线"))
        how = pick(rng, _w("裸露在外面还带着电 垂下来碰到铁栏杆 泡在水里 在冒火花 噼里啪啦冒火星 露出铜丝还有电 掉在路上"))
        return f"{p}的{wire}{how}", True
    if k == 6:
        thing = pick(rng, _w("烟头 啤酒瓶 剩饭 脏水 花盆 塑料袋 西瓜皮 酒瓶子 拖把 砖头"))
        return f"有人从楼上往下扔{thing} {pick(rng, _w('差点砸到人 哪天砸到人就晚了 吓死人 好危险 砸到我车上了'))}", False
    if k == 7:
        where = pick(rng, _w("人行道上 小区路上 幼儿园门口 单元门口的路上 上学的路上 步道上 大门口"))
        what = pick(rng, _w("井盖不见了 井盖被人偷了 井盖没了 窨井盖冇得了 下水井盖碎了个大洞 井盖翻了露出个大洞"))
        return f"{where}的{what} {pick(rng, _w('晚上看不见 会掉下去的 好多人走 伢们天天路过'))}", True
    if k == 8:
        thing = pick(rng, LOOSE)
        if rng.random() < 0.5:
            how = pick(rng, _w("摇摇欲坠 快掉下来了 随时要掉 悬在半空 只挂着一个角 在晃 往下掉渣"))
            below = pick(rng, _w("下面就是人行道 下面天天有人走 下面是幼儿园 下面好多人进出 伢们在下面玩"))
            return f"{p}的{thing}{how} {below}", True
        how = pick(rng, _w("松动了 锈得厉害 有点空鼓 迟早要出事 看着不牢 有裂缝"))
        return f"{p}的{thing}{how}", False
    if k == 9:
        what = pick(rng, _w("冒烟了 着火了 起火了 有浓烟 烧起来了 冒黑烟 有火苗 一股烧焦的味道还冒烟"))
        src = pick(rng, _w("楼道里 车棚 一户人家 垃圾站 配电箱 电动车 厨房 地下室 电表箱"))
        return f"{src}{what} {pick(rng, _w('快打119 快来人 大家快下楼 赶紧来人'))}", True
    if k == 10:
        nest = pick(rng, _w("马蜂窝 黄蜂窝 胡蜂窝 野蜂窝"))
        return f"{p}的树上有个好大的{nest} {pick(rng, _w('好多人路过 伢们在下面玩 已经有人被蛰了'))}", False
    if k == 11:
        box = pick(rng, _w("配电箱 电表箱 配电房 电箱 变压器围栏 电缆井"))
        how = pick(rng, _w("门开着 没锁 门掉了 里面线乱七八糟 小孩在旁边玩"))
        return f"{p}的{box}{how}", False
    what = pick(rng, _w("护栏断了一截 栏杆松了一靠就晃 台阶边没有护栏 水塘边没有围栏 楼梯扶手断了 坡太陡又没防滑"))
    return f"{p}{what} {pick(rng, _w('老人细伢容易摔 怕出事 很危险 太吓人了'))}", False


STOLEN = _w("""电瓶 电动车 自行车 快递 包裹 晾的衣服 花盆 车里的东西 电缆 电动车电池 头盔 充电器 儿童车 鞋子
外卖 牛奶 自家的菜 车牌 后视镜""")


def s_sec(rng):
    k = rng.randrange(9)
    p = pick(rng, PLACES)
    if k == 0:
        how = pick(rng, _w("被偷了 丢了 被人拿走了 不见了 又被偷了 被人顺走了 被偷了两回"))
        return f"{p}的{pick(rng, STOLEN)}{how}", False
    if k == 1:
        what = pick(rng, _w("家里被撬了 门锁被撬了 车窗被砸了 车里的东西被翻了 防盗门被人撬过 窗户被人撬开了"))
        return f"{pick(rng, _w('昨天晚上 前天夜里 上周 昨晚'))}{p}有户人家{what}", False
    if k == 2:
        who = pick(rng, _w("陌生人 几个男的 推销的 一个戴帽子的人 收废品的 不认识的人 两个外地人 一个骑车的"))
        what = pick(rng, _w("挨家挨户敲门 在楼道里转来转去 鬼鬼祟祟的 在拍门牌 在车棚里转悠 到处看电表 跟着老人进单元门"))
        return f"最近{p}总有{who}{what}", False
    if k == 3:
        who = pick(rng, _w("社区 物业 燃气公司 电力公司 社保局 自来水公司 银行 派出所"))
        what = pick(rng, _w("上门收费 打电话让转账 要银行卡号 要验证码 说要换表收钱 推销保健品 说养老金要认证让点链接"))
        return f"有人冒充{who}{what} {pick(rng, _w('差点上当 大家小心 社区查一下 我家老人信了'))}", False
    if k == 4:
        door = pick(rng, _w("单元门 楼道门 后门 小区侧门 车库门 大铁门"))
        how = pick(rng, _w("被人用砖头抵着 被纸板卡住 被凳子顶着 一直被人撑开 锁舌被胶带贴住了"))
        return f"{door}{how} {pick(rng, _w('关不上 外人随便进 谁都能进来 一直开着'))}", False
    if k == 5:
        what = pick(rng, _w("晚上门岗没人 门卫晚上不在 夜里大门没人守 保安晚上不见人 岗亭夜里空着"))
        return f"{pick(rng, _w('北门 南门 大门 东门 后门 小区门口'))}{what} {pick(rng, _w('大门敞着 外面的人随便进 车子随便开进来 谁都能进'))}", False
    if k == 6:
        what = pick(rng, _w("围墙被人挖了个洞 铁栅栏被锯开了 围墙倒了一截 栏杆被人掰开了 铁丝网被剪了"))
        return f"{p}{what} {pick(rng, _w('晚上有人钻进来 外面的人从那进出 有人翻进来'))}", False
    if k == 7:
        req = pick(rng, _w("""建议装几个监控 能不能加装摄像头 希望安排人晚上巡逻 能不能多巡逻几次 建议装个人脸识别
能不能在路口装个监控 建议成立巡逻队 希望增加夜间巡查 能不能装个高清探头"""))
        return f"{p}{req} {pick(rng, _w('老是丢东西 最近不太平 晚上不安全 老人害怕'))}", False
    what = pick(rng, _w("正在撬车 正在偷电瓶 在撬门 拿着刀在追人 在打人 正在剪车锁 正在翻别人的车"))
    return f"{p}有人{what} {pick(rng, _w('快报警 快来人 快叫保安 赶紧来'))}", True


VEHICLES = _w("""小车 私家车 面包车 货车 三轮车 外卖车 共享单车 电动车 摩托车 越野车 小轿车 快递车 送货车 大卡车
渣土车 白色轿车 黑色SUV 电动三轮 老年代步车 自行车""")


def s_park(rng):
    k = rng.randrange(7)
    v = pick(rng, VEHICLES)
    if k == 0:
        where = pick(rng, _w("单元门口 楼道口 路中间 路口 出口 入口 车库出口 人行道上 盲道上 垃圾站门口 小区门口 转弯的地方"))
        how = pick(rng, _w("乱停 堵着 横着停 停得横七竖八 天天停在那 一停就是一天 把路堵死了"))
        return f"{v}{how}在{where}" if rng.random() < 0.3 else f"有辆{v}{how} {where}{pick(rng, _w('过不去 出不来 轮椅推不出来 婴儿车过不去 进出都难'))}", False
    if k == 1:
        return f"我的车位{pick(rng, _w('天天被别人停 又被占了 被一辆外地车占了 被人停了三天'))} {pick(rng, _w('贴了条也没用 打电话也不挪 找不到车主'))}", False
    if k == 2:
        return f"{pick(rng, PLACES)}那辆{v}{pick(rng, _w('停了两年没动 落满了灰 轮胎都瘪了 没牌照一直扔在那 是僵尸车 好几年没人开'))}", False
    if k == 3:
        return f"小区{pick(rng, _w('车位太少 停车太难 晚上找不到地方停 车越来越多'))} {pick(rng, _w('能不能多划几个车位 建议规划停车位 能不能把空地改成停车场 希望增加车位'))}", False
    if k == 4:
        return f"{pick(rng, _w('外卖电动车 快递三轮 有些小车 送货的车 年轻人骑摩托'))}在小区里{pick(rng, _w('开得飞快 骑得飞快 逆行 横冲直撞 飙车'))} {pick(rng, _w('差点撞到老人 吓死人 伢们不敢出门 能不能装减速带'))}", False
    if k == 5:
        return f"外面的车{pick(rng, _w('随便开进来停 都停到小区里来了 占了业主的位置'))} {pick(rng, _w('业主回来没地方停 保安也不管 要收费管理一下'))}", False
    what = pick(rng, _w("救护车进不来 120的车开不进来 救护车堵在门口进不来"))
    return f"{what} {pick(rng, _w('路被几辆车堵死了 有辆车横在路口 门口停满了车'))} {pick(rng, _w('车主快来挪车 快来人 急死了'))}", True


SHEDS = _w("""棚子 铁皮房 彩钢瓦棚 阳光房 小房子 鸡窝 鸽子笼 狗窝 杂物间 储物间 铁皮棚 雨棚 小仓库 鸡笼 鸭棚 兔子笼 板房""")
VEG = _w("""葱 蒜 辣椒 南瓜 丝瓜 豆角 韭菜 萝卜 青菜 红薯 玉米 黄瓜 茄子 番茄 苋菜 白菜 四季豆 空心菜 冬瓜 芝麻 油菜 菜""")
ENCLOSE = _w("""地锁 地桩 铁链 围栏 栅栏 篱笆 铁丝网 一道铁门 木栅栏 车位锁 水泥墩子 石墩子 铁架子""")
PUBLIC = _w("""公共绿地 花坛 草坪 公共车位 公共过道 楼顶 天台 楼道 空地 车棚旁边 小区空地 绿化带 楼梯间 公共走廊""")


def s_build(rng):
    k = rng.randrange(5)
    if k == 0:
        return f"有人在{pick(rng, PUBLIC)}{pick(rng, _w('搭了个 砌了个 盖了个 焊了个 私自建了个'))}{pick(rng, SHEDS)}", False
    if k == 1:
        return f"{pick(rng, PUBLIC)}被人{pick(rng, _w('翻了种 挖了种 开荒种了 种满了 种上了'))}{pick(rng, VEG)}", False
    if k == 2:
        return f"有人在{pick(rng, PUBLIC)}{pick(rng, _w('装了 私装了 拉了 立了 围了一圈'))}{pick(rng, ENCLOSE)} {pick(rng, _w('当成自己家的 别人都用不了 不让别人停 占为己有'))}", False
    if k == 3:
        return f"{pick(rng, _w('一楼那户 顶楼住户 有户人家 二楼那家 楼下住户'))}{pick(rng, _w('把院子往外扩了两米 在外墙上焊了个铁笼子 把阳台往外扩建 私自加盖了一层 把公共过道隔成了自家房间 在楼顶加建了房子 私自开了个门洞'))}", False
    return f"{pick(rng, PUBLIC)}{pick(rng, _w('被人圈起来了 被人占了搭东西 被人用砖砌起来了'))} {pick(rng, _w('是谁批准的 这是违建吧 要拆掉'))}", False


PLANTS = _w("""树 大树 香樟树 樟树 桂花树 银杏树 梧桐树 广玉兰 白玉兰 杨树 柳树 榆树 槐树 女贞 石楠 紫薇 海桐 红叶石楠
冬青 黄杨 月季 杜鹃 栀子花 茶花 樱花树 桃树 枇杷树 橘子树 竹子 爬墙虎 爬山虎 凌霄花 草坪 草皮 绿篱 灌木
花坛里的花 绿化带 花苗 小树苗 行道树 水杉 雪松 棕榈树 香樟 桂花 草 杂草 野草 藤蔓 石榴树 枫树""")
PLANT_DAMAGED = _w("被压坏了 被踩坏了 被折断了 被人挖走了 倒了一片 被车撞歪了 被砍了 被踩秃了 断了好多")
PLANT_DYING = _w("枯死了 黄了 蔫了 干死了 叶子掉光了 死了一大片 好久没浇水 烂根了 发黄了")
PLANT_OVER = _w("长疯了 长得太高了 挡住窗户了 遮住阳光了 伸到阳台里了 挡住路灯了 挡住视线 比人还高 长到路中间了 枝丫伸到电线上了 该修剪了 遮得屋里好暗")
PLANT_PEST = _w("生虫了 长了好多虫 有美国白蛾 长了蚜虫 得了白粉病 有天牛 毛毛虫掉得到处都是 叶子被虫啃光了 被白蚁蛀空了 要打药了 长了好多红蜘蛛")


def s_green(rng):
    plant = pick(rng, PLANTS)
    pred = pick(rng, pick(rng, [PLANT_DAMAGED, PLANT_DYING, PLANT_OVER, PLANT_PEST]))
    if rng.random() < 0.4:
        return f"{pick(rng, PLACES)}的{plant}{pred}", False
    if rng.random() < 0.3:
        return f"{plant}{pred} {pick(rng, _w('要修剪一下 麻烦浇点水 该打药了 要补种一下 能不能派人来剪 麻烦绿化的来看看'))}", False
    return f"{plant}{pred}", False


NOISE_SRC = _w("""广场舞 音响 喇叭 装修电钻 电锤 切割机 施工 打桩机 狗叫 麻将 唱歌 拉二胡 吹萨克斯 敲鼓 空调外机
鼓风机 收废品的喇叭 卖菜的喇叭 摩托车轰油门 打篮球的 烧烤摊 KTV 卸货 搅拌机 鸡叫 鹦鹉 练琴 放鞭炮
跑步机 小孩拍球 拖凳子 剁肉 夜市 健身操 唢呐 音乐 低音炮 水泵 变压器""")
NOISE_P = _w("""吵得睡不着 到半夜还在 一大早就开始 太吵了 声音开得老大 震得玻璃响 吵死人 从早到晚不停 十一点了还在
天不亮就开始 一晚上没停 周末也不消停 午休时间还在 老人心脏受不了 伢们没法写作业 嗡嗡响一整夜""")


def s_noise(rng):
    src = pick(rng, NOISE_SRC)
    who = pick(rng, _w("楼上 隔壁 楼下 对面 小区里 外面工地 楼下那家 门口 篮球场 对面楼 小广场"))
    return f"{who}的{src}{pick(rng, NOISE_P)}", False


def s_neigh(rng):
    k = rng.randrange(7)
    up = pick(rng, _w("楼上 楼上那家 楼上那户 楼上邻居"))
    if k == 0:
        src = pick(rng, _w("卫生间 厨房 洗衣机 空调水 阳台 热水器 暖气片 鱼缸"))
        into = pick(rng, _w("漏到我家 渗到我家天花板 滴到我家阳台 往我家卧室渗水 把我家墙泡了 滴到我家窗台上"))
        return f"{up}{src}{into} {pick(rng, _w('找他们不理 说了几次都不修 他们不承认 拖了两个月 请社区调解'))}", False
    if k == 1:
        what = pick(rng, _w("水管爆了 水管破了 热水器爆了 洗衣机水管崩了"))
        return f"{up}{what} 水从我家{pick(rng, _w('天花板 吊灯 墙上 顶上'))}哗哗往下流 {pick(rng, _w('人不在家 敲门没人 快联系他家'))}", True
    if k == 2:
        nb = pick(rng, _w("对门 隔壁 邻居 楼下那家 对面那户 隔壁那户"))
        pet = pick(rng, _w("狗 猫 大狗 泰迪 鸡"))
        what = pick(rng, _w("在我家门口拉屎撒尿 咬了我家孩子 天天翻到我家阳台 把我家花盆打碎了 扑人吓到了老人"))
        return f"{nb}的{pet}{what} {pick(rng, _w('说了也不管 他们还不承认 不肯赔 请社区评理'))}", False
    if k == 3:
        nb = pick(rng, _w("对门 隔壁 邻居 楼下 两家人 楼上楼下两户"))
        why = pick(rng, _w("楼道里放鞋柜 车位 晾衣服 装修 漏水 放杂物 养狗 垃圾"))
        return f"{nb}为了{why}的事{pick(rng, _w('吵起来了 打起来了 骂了好几天 闹得好僵'))} {pick(rng, _w('快来人调解 请社区出面 请网格员来劝一下'))}", False
    if k == 4:
        nb = pick(rng, _w("隔壁 楼上 对门 楼下"))
        what = pick(rng, _w("装修把我家墙打裂了 打孔把我家墙打穿了 装空调把我家外墙弄坏了 把我家防盗门刮花了"))
        return f"{nb}{what} {pick(rng, _w('他们不认账 不肯赔 想请社区来看一下'))}", False
    if k == 5:
        nb = pick(rng, _w("对门 隔壁 邻居家 楼下那户"))
        what = pick(rng, _w("故意把垃圾放我家门口 监控对着我家门 天天骂我们家 故意跺脚报复 把杂物堆到我家门口 种的树挡住我家窗户不肯剪"))
        return f"{nb}{what} {pick(rng, _w('说了还骂人 讲了几次不听 请社区调解一下'))}", False
    return f"{pick(rng, _w('隔壁 对门 楼上'))}那家人{pick(rng, _w('天天找茬 故意找麻烦 经常辱骂我家老人 威胁我们'))} {pick(rng, _w('请社区出面调解 实在受不了了'))}", False


STAFF = _w("保洁 保洁阿姨 清洁工 保安 物业 物业管家 维修工 物业经理 物业客服 门卫 物业公司 物业前台 绿化工")
FEES = _w("物业费 停车费 管理费 卫生费 电梯费 维修基金 自治金 公益金 公共收益 水电公摊 垃圾清运费 装修押金 车位费 广告收益")


def s_prop(rng):
    k = rng.randrange(5)
    if k == 0:
        staff = pick(rng, _w("保洁 保洁阿姨 清洁工 扫地的"))
        what = pick(rng, _w("好几天没来了 只扫门口 一个礼拜才来一次 从来不拖楼梯 扫得马马虎虎 偷懒"))
        return f"{pick(rng, PLACES)}的{staff}{what}", False
    if k == 1:
        staff = pick(rng, _w("物业 物业管家 物业客服 维修工 物业公司"))
        what = pick(rng, _w("报修了好几次都不来 电话打不通 什么事都推 答应的事从来不办 收了钱不办事 拖了一个月不处理"))
        return f"{staff}{what}", False
    if k == 2:
        staff = pick(rng, _w("保安 门卫 物业的人 物业经理 管家"))
        what = pick(rng, _w("态度好差 说话好冲 对老人吼 骂业主 爱理不理 阴阳怪气的 上班玩手机"))
        return f"{staff}{what}", False
    if k == 3:
        fee = pick(rng, FEES)
        what = pick(rng, _w("又涨了 涨了也不开会说明 收了不公示 账目不公开 到底花到哪里去了 什么时候公示 乱收 多收了 收费不透明 一直没公布"))
        return f"{fee}{what}", False
    return f"{pick(rng, FEES)}{pick(rng, _w('交给哪个了 用到哪去了 怎么花的'))} {pick(rng, _w('要公开 要给大家一个说法 业主有权知道'))}", False


AMENITIES = _w("""老年食堂 助餐点 社区食堂 托管班 四点半课堂 图书角 阅览室 活动室 健身区 晾晒区 充电桩 长椅
休息亭 快递柜 便民理发 义诊 家电维修点 修鞋摊 老年大学 兴趣班 儿童游乐区 母婴室 公共厕所 无障碍坡道
饮水点 便民超市 早餐点 上门助浴 日间照料中心 棋牌室 书法班 舞蹈队 乒乓球室 共享工具箱 旧物回收点
爱心驿站 纳凉点 暑假托管 老年活动室 充电车棚 雨棚 休息座椅 宣传栏 自行车棚 晒被子的架子""")


def s_serv(rng):
    amen = pick(rng, AMENITIES)
    lead = pick(rng, _w("能不能 建议 希望 可不可以 想请社区 能否 强烈建议 大家商量一下 我提个建议"))
    verb = pick(rng, _w("办个 建个 设个 开个 装几个 多装几个 增设 搞个 弄个 加几个 开放 安排"))
    why = pick(rng, _w("""老人多 方便大家 伢们放学没地方去 老人一个人在家做饭不方便 现在根本不够用 年轻人上班没空
我们这些老人冇得事做 晚上排队 好多老人走不动 别的小区都有"""))
    if rng.random() < 0.5:
        return f"{lead}在{pick(rng, PLACES)}{verb}{amen} {why}", False
    return f"{lead}{verb}{amen} {why}", False


PERSONS = _w("老人 婆婆 爹爹 老爹爹 我妈 我爸 老伴 外婆 奶奶 爷爷 小孩 细伢 孙子 一个伢 老太太 老爷子 独居老人")


def s_other(rng):
    k = rng.randrange(8)
    if k == 0:
        who = pick(rng, PERSONS)
        what = pick(rng, _w("摔倒了 晕倒了 倒在地上起不来 昏过去了 叫不醒 抽搐了 摔了一跤爬不起来 在地上不动了 脸色发白说不出话"))
        return f"{pick(rng, PLACES)}有个{who}{what} {pick(rng, _w('快来人 快打120 赶紧来帮忙 快叫救护车'))}", True
    if k == 1:
        who = pick(rng, _w("我妈 我爸 我家老人 我外婆 我家老爷子 我家孙子 我家细伢 我儿子 我女儿"))
        what = pick(rng, _w("早上出去到现在还没回来 走丢了 找不到了 一下午没见人 联系不上 出门散步没回家 放学没回家"))
        return f"{who}{what} {pick(rng, _w('有老年痴呆 穿灰色外套 大家帮忙看看 有看到的说一声 急死了'))}", True
    if k == 2:
        who = pick(rng, _w("一个老人 一个细伢 一个小孩 一个婆婆 一个爹爹"))
        return f"{pick(rng, PLACES)}有{who}{pick(rng, _w('在哭 找不到家 说不清住哪里 一个人转来转去'))} {pick(rng, _w('谁家的 快来认 麻烦大家问问'))}", True
    if k == 3:
        item = pick(rng, _w("高龄补贴 低保 养老金 残疾补贴 独生子女奖励 医保报销 社保 困难补助 尊老金 失业金 临时救助"))
        return f"{item}{pick(rng, _w('几个月没到账 被停了 办不下来 审核一直不通过 材料交了没消息 少发了 认证不了'))}", False
    if k == 4:
        item = pick(rng, _w("居住证明 老年证 户口 门牌号 残疾证 低保证明 独生子女证"))
        return f"{item}{pick(rng, _w('开不到 办了好久没下来 跑了几趟都没人盖章 社区说找街道'))}", False
    if k == 5:
        item = pick(rng, _w("宽带 网络 手机信号 有线电视 机顶盒 光纤 电视信号 网速"))
        return f"{item}{pick(rng, _w('三天两头断 一直没信号 全是雪花 慢得要死 报修了也不来 打不了电话'))}", False
    if k == 6:
        item = pick(rng, _w("老旧小区改造 加装电梯 外墙改造 管网改造 燃气改造 雨污分流 屋面改造 下水管网改造"))
        return f"{item}{pick(rng, _w('停工好久了 一直没动静 拖了半年 什么时候完工 说好的开工到现在没影 报上去了没有'))}", False
    return f"{pick(rng, _w('社区 街道 办事大厅'))}{pick(rng, _w('办事老是没人 材料要交好几次 互相踢皮球 窗口不开'))}", False


REPORT_SCENARIOS = {ENV: s_env, FAC: s_fac, SAFE: s_safe, SEC: s_sec, PARK: s_park, BUILD: s_build,
                    GREEN: s_green, NOISE: s_noise, NEIGH: s_neigh, PROP: s_prop, SERV: s_serv, OTHER: s_other}

# ---------------------------------------------------------------- non-reports

HAZARD_WORDS = _w("""停水 停电 燃气安全检查 消防演练 井盖排查 化粪池清掏 灭鼠投药 电梯年检 外墙施工 脚手架拆除 管道疏通
防汛 台风 高温 防诈骗 电动车充电安全 消防安全检查 水箱清洗 路面修补 树木修剪 灭蚊消杀 二次供水检修""")


def n_notice(rng):
    head = pick(rng, _w("【通知】 温馨提示： 社区提醒： 【公告】 各位居民： 各位业主 紧急通知 【提醒】 物业通知"))
    what = pick(rng, HAZARD_WORDS)
    when = pick(rng, _w("本周六 明天上午 下周一 周三下午 本月20号 明天8点到18点 后天 即日起"))
    tail = pick(rng, _w("""请提前做好准备 请家中留人 给大家带来不便敬请谅解 请大家配合 请车主提前挪车 届时请勿靠近
请看好小孩和宠物 请提前储水 请大家相互转告 请准时参加 违者将统一清理 请提高警惕"""))
    return f"{head}{when}进行{what} {tail}"


def n_plan(rng):
    return f"{pick(rng, _w('我家 我们家'))}{pick(rng, _w('下周要装修 明天搬家 这两天换窗户 周末要敲墙 要换防盗门'))} {pick(rng, _w('先跟大家打个招呼 会有点吵 请大家多包涵 车会在门口停一下 麻烦大家担待'))}"


FIXED_OBJ = LIGHTS + DOORS + WATER + ELEV + _w("井盖 僵尸车 小广告 垃圾 树枝 充电桩 监控 水管 漏水 堆物 路灯 下水道")


def n_fixed(rng):
    k = rng.randrange(3)
    if k == 0:
        obj = pick(rng, FIXED_OBJ)
        done = pick(rng, _w("修好了 已经修好了 换新的了 清走了 已经处理了 通了 弄好了 搞定了 亮了 已经盖上了 拖走了"))
        return f"{pick(rng, _w('昨天说的 上次反映的 楼下的 我们单元的 ') + [''])}{obj}{done} {pick(rng, _w('谢谢物业 谢谢师傅 辛苦了 速度蛮快') + [''])}"
    if k == 1:
        what = pick(rng, _w("煤气味 烟 焦味 响声 那个人 漏水"))
        why = pick(rng, _w("是楼下在熏腊肉 是隔壁在煨汤烧干了 是烧树叶 是新搬来的住户 是空调水 是有人在做饭"))
        return f"刚才说的{what}{why} {pick(rng, _w('虚惊一场 没事了 大家放心 不好意思'))}"
    return f"{pick(rng, _w('电梯里关的人 走丢的老人 我家伢 找的那个婆婆'))}{pick(rng, _w('已经救出来了 找到了 已经回家了'))} 谢谢大家"


QUERY_OBJ = _w("""老年证 居住证明 门禁卡 停车证 养老金认证 低保 医保卡 燃气开户 宽带 加装电梯申请表 高龄补贴 疫苗
四点半课堂 助餐点 社保卡 残疾证 独生子女证 装修登记 物业费 垃圾分类 积分 党员报到 志愿者证""")


def n_query(rng):
    obj = pick(rng, QUERY_OBJ)
    k = rng.randrange(4)
    if k == 0:
        return f"{pick(rng, _w('请问 问一下 想问下 麻烦问一下') + [''])}{obj}在哪里办理"
    if k == 1:
        return f"{pick(rng, _w('请问 问一下') + [''])}{obj}{pick(rng, _w('要带什么材料 怎么申请 多少钱 几点开始 找哪个 是在社区办还是街道办 周末上班吗 什么时候截止'))}"
    if k == 2:
        return f"{obj}是{pick(rng, _w('按月交还是按年交 在网上办还是要去现场 社区办还是物业办'))}"
    return f"{pick(rng, _w('哪个晓得 有没有人晓得 谁知道'))}{obj}{pick(rng, _w('怎么弄 在哪里 几号开始'))}"


def n_poll(rng):
    return pick(rng, ["我选" + pick(rng, _w("白色的 灰色的 米黄色的 棉花白的 第一个 第二个 A 周六 方案二")),
                      "投" + pick(rng, _w("1号方案 2号方案 3号方案 第一个方案 B方案")),
                      pick(rng, _w("同意 赞成 反对 支持 不同意 我家同意")) + pick(rng, _w("装监控 加装电梯 每户出50 改成停车位 换物业") + [""]),
                      "外墙颜色" + pick(rng, _w("我觉得灰色更好看 选米黄色吧 投白色"))])


def n_signup(rng):
    k = rng.randrange(3)
    if k == 0:
        return f"{pick(rng, _w('报名 我报名 算我一个 接龙'))}{pick(rng, _w('巡逻队 大扫除 舞蹈队 老年合唱团 智能手机培训 防诈骗讲座 义务理发 志愿者 红色周五'))} {pick(rng, ['', '我和老伴', '两个人', f'{rng.randint(1, 30)}栋'])}"
    if k == 1:
        return f"我{pick(rng, _w('今天 昨天 上周六'))}参加了{pick(rng, _w('大扫除 巡逻 清理楼道 志愿服务 垃圾分类宣传'))} {pick(rng, _w('积分记一下 麻烦加积分 服务时长记一下'))}"
    return f"{pick(rng, _w('积分换的肥皂领到了 积分什么时候兑换 我的积分是多少'))}"


def n_paid(rng):
    fee = pick(rng, FEES + _w("监控费 水费 电费 燃气费 电梯电费"))
    loc = rng.choice(["", f" {rng.randint(1, 30)}-{rng.randint(1, 5)}-{rng.randint(1, 20)}0{rng.randint(1, 4)}", f" {rng.randint(1, 30)}栋"])
    return f"{fee}{pick(rng, _w('已交 交了 已缴 转过去了 已转 交到年底了'))}{pick(rng, ['', ' ' + str(rng.randint(5, 50) * 10) + '元'])}{loc}"


def n_ad(rng):
    what = pick(rng, _w("专业开锁换锁 疏通下水道 空调清洗加氟 家政保洁 防水补漏 高价回收旧家电 搬家拉货 上门维修热水器 二手房出售 房屋出租"))
    tail = pick(rng, _w("价格实惠 随叫随到 24小时上门 包工包料 质保三年 有意者私聊"))
    return f"{what} {tail} 电话1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}"


def n_fwd(rng):
    head = pick(rng, _w("【转发】 转： 分享一篇 转给大家 震惊！ 链接 看看这个"))
    what = pick(rng, _w("""夏季电动车安全充电小知识 燃气泄漏怎么办 老人摔倒后正确的扶法 电梯困人自救方法 防范电信诈骗十大招数
高空抛物入刑了 台风天注意事项 这几种食物千万不能一起吃 老旧小区改造最新政策 火灾逃生要点"""))
    return f"{head}{what}"


def n_chat(rng):
    return pick(rng, _w("""今晚的月亮好圆 哈哈哈哈 笑死我了 谁家的桂花开了好香 今天菜场的莲藕蛮便宜 周末有没有人约着去爬山
孙子考上大学了 今天太极拳打得好 这雨下得好大 有人下棋冇 今天好热 降温了大家加衣服 我家狗又把拖鞋咬坏了
早上好 晚安 中秋快乐 新年好 谢谢大家 收到 好的 明白 辛苦了 感谢志愿者 👍👍👍 🙏🙏 [强][强] 好滴好滴 晓得了晓得了
谢谢书记 辛苦网格员 捡到一串钥匙放门卫了 哪个的伞丢在电梯里了 今天广场舞好热闹 这个视频好好笑"""))


NON_REPORT_SCENARIOS = ((n_notice, 14), (n_plan, 4), (n_fixed, 14), (n_query, 14), (n_poll, 8), (n_signup, 10),
                        (n_paid, 7), (n_ad, 7), (n_fwd, 6), (n_chat, 16))


# ---------------------------------------------------------------- assembly

def _report(rng, category):
    core, urgent = REPORT_SCENARIOS[category](rng)
    loc, b, u, r = _location(rng) if rng.random() < 0.45 else ("", None, None, None)
    text = _dress(rng, core, urgent)
    if loc:
        text = f"{loc} {text}" if rng.random() < 0.7 else f"{text} {loc}"
    opener = rng.choice(OPENERS)
    if opener and not urgent:
        if "{B}" in opener:
            if b is None or loc.startswith("我家"):
                opener = ""
            else:
                opener = opener.format(B=loc)
        text = opener + text
    return {"text": _style(rng, text), "is_report": True, "category": category,
            "building": b, "unit": u, "room": r, "urgency": "urgent" if urgent else "normal"}


def _non_report(rng):
    fns, weights = zip(*NON_REPORT_SCENARIOS)
    text = rng.choices(fns, weights)[0](rng)
    return {"text": _style(rng, text), "is_report": False, "category": None,
            "building": None, "unit": None, "room": None, "urgency": None}


def generate(seed=DEFAULT_SEED, per_category=PER_CATEGORY, non_reports=NON_REPORTS):
    """The synthetic corpus: labeled rows in the format of LABELING.md (ids s00001 ...)."""
    rng = random.Random(seed)
    rows = []
    for category in REPORT_SCENARIOS:
        rows.extend(_report(rng, category) for _ in range(per_category))
    rows.extend(_non_report(rng) for _ in range(non_reports))
    rng.shuffle(rows)
    seen, out = set(), []
    for row in rows:
        if row["text"] in seen:
            continue
        seen.add(row["text"])
        out.append({"id": f"s{len(out) + 1:05d}", **row})
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--per-category", type=int, default=PER_CATEGORY)
    ap.add_argument("--non-reports", type=int, default=NON_REPORTS)
    ap.add_argument("--out", default="-")
    args = ap.parse_args(argv)
    rows = generate(args.seed, args.per_category, args.non_reports)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    try:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
