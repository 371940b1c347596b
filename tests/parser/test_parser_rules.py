"""One focused test per rule of the labeling guide (../shared/data/LABELING.md)."""
import pytest

from handlers.tickets.parser import ParseResult, parse, parse_location, warm

SAFE, FAC, ENV, SEC = "安全隐患", "设施维修", "环境卫生", "治安防范"
PARK, BUILD, GREEN, NOISE = "停车交通", "违章搭建", "绿化养护", "噪音扰民"
NEIGH, PROP, SERV, OTHER = "邻里纠纷", "物业服务", "便民服务", "其他"


def loc(text):
    return parse_location(text)


# ---------------------------------------------------------------- location: building markers and numerals

@pytest.mark.parametrize("text, building", [
    ("三栋楼道灯不亮", "3"),
    ("十四棟的电梯坏了", "14"),
    ("二十三栋门口有个坑", "23"),
    ("第五栋的单元门关不上", "5"),
    ("九栋四单元楼道灯不亮", "9"),
    ("5号楼电梯坏了", "5"),
    ("九號樓後面的垃圾沒人收", "9"),
    ("3幢门口积水", "3"),
    ("7#楼的楼梯灯坏了", "7"),
    ("12#电梯按了不下来", "12"),
    ("B座电梯坏了", "B"),
    ("a栋门禁坏了", "A"),
    ("肆栋一单元楼梯灯不亮", "4"),
])
def test_building_markers_and_chinese_numerals(text, building):
    assert loc(text)[0] == building


def test_unit_alone_and_with_building():
    assert loc("二单元门口堆满了杂物") == (None, "2", None)
    assert loc("九栋四单元楼道灯不亮") == ("9", "4", None)


def test_x_hao_followed_by_unit_is_a_building():
    assert loc("8号3单元电梯显示故障") == ("8", "3", None)


@pytest.mark.parametrize("text, expected", [
    ("3-2-301 楼上漏水", ("3", "2", "301")),
    ("9－1－803 装修太吵", ("9", "1", "803")),
    ("3栋301 门口堆满纸箱", ("3", None, "301")),
    ("3栋2单元502 楼道灯坏了", ("3", "2", "502")),
    ("我家1102 隔壁的狗天天叫", (None, None, "1102")),
    ("我住902 楼上跑步机一直响", (None, None, "902")),
    ("7栋502那户天天打麻将", ("7", None, "502")),
    ("C座1802 厕所下水管堵了", ("C", None, "1802")),
])
def test_rooms(text, expected):
    assert loc(text) == expected


# ---------------------------------------------------------------- location: what is not a location

@pytest.mark.parametrize("text", ["5楼楼道灯坏了", "一楼有股煤气味", "七楼的住户都说水压小", "电梯停在十楼不动"])
def test_floors_are_not_buildings(text):
    assert loc(text) == (None, None, None)


def test_building_then_floor_keeps_only_the_building():
    assert loc("六栋八楼的楼道灯坏了") == ("6", None, None)


@pytest.mark.parametrize("text", [
    "2号车棚的充电桩坏了", "东门的路灯不亮", "北门晚上没人值班", "二期车棚丢了电瓶",
    "东区那条路上有个大坑", "菜场门口污水横流", "丝绸厂宿舍的围墙倒了", "3号门的道闸坏了",
])
def test_place_names_are_not_buildings(text):
    assert loc(text)[0] is None


@pytest.mark.parametrize("text", ["这栋楼的下水道堵了", "整栋楼都停电了", "对面那栋在装修", "隔壁单元的门禁好了", "有两栋楼停水"])
def test_vague_references_are_not_locations(text):
    assert loc(text) == (None, None, None)


@pytest.mark.parametrize("text", [
    "专业疏通下水道 电话13912345678",
    "楼道冒烟了 快打119",
    "老人晕倒了 快打120",
    "打12345投诉了也没用",
    "鄂A3K721的车主 你的车挡住我了",
    "尾号8866的车主请挪车",
    "停车费从60涨到100",
    "物业收了我家300块的维修费",
    "85岁的老人家半夜听收音机",
    "5月3号就报修了",
])
def test_phones_emergency_numbers_plates_prices_ages_are_never_rooms(text):
    assert loc(text)[2] is None


# ---------------------------------------------------------------- non-reports

@pytest.mark.parametrize("text", [
    "收到🙏", "好的👍", "[强][强][强]", "谢谢杨书记 辛苦了🙏", "早上好🌹🌹🌹",
    "【停水通知】本周六8:00-18:00全小区停水 请居民提前储水",
    "【通知】下周对小区井盖进行统一排查更换",
    "我家要装修了 先跟大家打个招呼",
    "请问装修要在哪里登记", "电梯年检几月份", "物业费在哪里交啊",
    "我选白色", "外墙颜色投票 我投2号方案",
    "下午志愿者清理楼道堆物 我报名参加", "我今天参加了大扫除 积分记一下",
    "监控费我交了50元",
    "专业疏通下水道 空调清洗 价格实惠 电话13912345678",
    "【转发】夏季电动车安全充电小知识",
    "哈哈哈哈 这个视频笑死我了",
    "楼道灯修好了 谢谢杨爹", "昨天说的漏水问题已经解决了",
    "刚才的煤气味是隔壁在炖东西 虚惊一场",
])
def test_not_reports(text):
    assert parse(text) == ParseResult(False, None, None, None, None, None)


@pytest.mark.parametrize("text", ["报名舞蹈队 6栋", "卫生费已交 8-1-302", "我家同意加装电梯 5-1-601"])
def test_non_reports_have_null_location_even_with_a_building(text):
    result = parse(text)
    assert not result.is_report
    assert (result.building, result.unit, result.room) == (None, None, None)
    assert parse_location(text) != (None, None, None)  # the location is there; parse just does not report it


@pytest.mark.parametrize("text", [
    "上回说的单元门到现在还关不上 又过了一个礼拜",
    "楼道灯说修好了 结果今天又不亮了",
    "能不能在活动室装个空调 夏天太热了",
])
def test_follow_ups_and_suggestions_are_reports(text):
    assert parse(text).is_report


# ---------------------------------------------------------------- categories and tie-breaks (⚖)

@pytest.mark.parametrize("text, category", [
    ("充电桩扫码一直显示故障 充不了电", FAC),
    ("能不能多装几个充电桩 晚上排不上", SERV),
    ("小区健身器材的扭腰盘坏了 转不动", FAC),
    ("建议在东边空地建个健身区", SERV),
    ("车棚的监控坏了半个月了", FAC),
    ("建议在车棚装几个监控 丢东西都查不到", SEC),
])
def test_broken_versus_new(text, category):
    assert parse(text).category == category


@pytest.mark.parametrize("text, category", [
    ("三单元楼道里天天有人给电瓶车充电", SAFE),
    ("有人从窗户拉线下来飞线充电", SAFE),
    ("有人把电瓶推进电梯里带上楼充电", SAFE),
    ("车棚的充电插座没电了 插上去充不进去", FAC),
])
def test_charging_indoors_versus_dead_socket(text, category):
    assert parse(text).category == category


@pytest.mark.parametrize("text, category", [
    ("十三栋单元门的门禁刷不开 卡贴上去冇得反应", FAC),
    ("一单元的防盗门锁坏了 关不上", FAC),
    ("一单元的门被人用石头抵着 一直开着 外人随便进", SEC),
    ("门卫室晚上经常空着 保安不晓得克哪里了 外面的人随便进", SEC),
    ("围墙后面有个洞 外面的人从那里钻进来", SEC),
])
def test_door_broken_versus_left_open(text, category):
    assert parse(text).category == category


def test_car_blocking_fire_lane_versus_other_road():
    assert parse("消防通道又被小车堵死了").category == SAFE
    assert parse("有辆车天天停在单元门口 轮椅都推不出来").category == PARK


def test_ground_lock_versus_someone_in_my_space():
    assert parse("有人在公共车位上私装了地锁").category == BUILD
    assert parse("我的车位天天被别人停 贴了纸条也冇用").category == PARK


def test_vegetables_versus_plants_versus_neighbours_tree():
    assert parse("楼下公共绿地被人翻了种南瓜").category == BUILD
    assert parse("花坛被车压坏了 花都倒了").category == GREEN
    assert parse("邻居家的树伸到我家院子里 说了几次他都不剪 还跟我吵").category == NEIGH


def test_corridor_clutter_three_ways():
    assert parse("2单元楼道堆了好多纸壳子和旧家具 上下楼都要侧身").category == ENV
    assert parse("楼道里堆满了纸箱子 把消防栓都挡住了").category == SAFE
    assert parse("302的老王把旧纸箱堆在楼道里 说他还骂我 请社区来调解一下").category == NEIGH


def test_dirty_spot_versus_service_versus_guards():
    assert parse("3栋门口的垃圾桶满了两天了没人清 臭死了").category == ENV
    assert parse("我们15栋的保洁阿姨一个礼拜才来一次").category == PROP
    assert parse("门卫室晚上一个人都冇得 大门敞着 谁都能进来").category == SEC
    assert parse("门口保安态度好差 问个路都爱理不理的").category == PROP


def test_noise_versus_neighbour_conflict():
    assert parse("楼上装修周日也在打电钻").category == NOISE
    assert parse("隔壁的狗一到晚上就叫 连续一个礼拜了").category == NOISE
    assert parse("楼上半夜故意跺脚 我去说了他还变本加厉 就是故意找茬").category == NEIGH


def test_water_from_upstairs_versus_shared_pipes():
    assert parse("楼上卫生间漏到我家 找他不理").category == NEIGH
    burst = parse("楼上水管爆了 水哗哗地往我家灌")
    assert (burst.category, burst.urgency) == (NEIGH, "urgent")
    shared = parse("楼道里的公共水管爆了 水顺着楼梯往下淌")
    assert (shared.category, shared.urgency) == (FAC, "urgent")


def test_elevator_drain_and_sewage_smell():
    assert parse("电梯坏了 停在6楼不动").category == FAC
    assert parse("下水道堵了 一楼卫生间往上反水").category == FAC
    assert parse("7号楼后面下水沟一股臭味 夏天窗户都不敢开").category == ENV


def test_person_in_danger_is_other_and_urgent():
    for text in ("8栋楼下有个老人摔倒了 起不来", "我妈出去到现在没回来 有老年痴呆",
                 "6栋门口有个老人晕倒了 叫了半天没反应"):
        result = parse(text)
        assert (result.category, result.urgency) == (OTHER, "urgent"), text


@pytest.mark.parametrize("text, category", [
    ("垃圾桶旁边的西瓜皮没人收 招苍蝇", ENV),
    ("楼梯灯坏了好几天了", FAC),
    ("车棚又丢了两个电瓶", SEC),
    ("门口那辆报废面包车停了两年了", PARK),
    ("楼顶被人搭了间铁皮房", BUILD),
    ("银杏树枝丫太长 要修一下", GREEN),
    ("广场舞音响太大 十点还在放", NOISE),
    ("对门的猫天天在我家门口撒尿", NEIGH),
    ("自治金的账什么时候公示", PROP),
    ("建议办个老年食堂", SERV),
    ("高龄补贴这个月没到账", OTHER),
])
def test_one_example_per_category(text, category):
    result = parse(text)
    assert (result.is_report, result.category) == (True, category)


# ---------------------------------------------------------------- urgency

@pytest.mark.parametrize("text", [
    "楼道里冒烟了 快打119",
    "厨房外面的燃气管在嘶嘶漏气",
    "配电箱门开着 里面的电线都露出来了 细伢在旁边玩",
    "2栋一单元门口水管爆了 水哗哗往外冒",
    "电梯里人被关住了 快叫维保",
    "人行道上井盖冇得了 晚上看不见",
    "外墙上一大块瓷砖挂在那里晃 随时要掉下来 下面就是伢们玩的地方",
    "有人正在撬车棚的锁 快来人",
    "救护车进不来了 有辆车堵在路口",
    "我家伢在小区里玩 一转眼就不见了",
])
def test_urgent(text):
    assert parse(text).urgency == "urgent"


@pytest.mark.parametrize("text", [
    "有人往楼下扔果皮 哪天砸到人就晚了",
    "电梯坏了 停在6楼不动",
    "18栋后面的消防通道被车堵死了 万一着火消防车进不来",
    "上个月被偷的电瓶车到现在也没找回来",
    "滑梯旁边的树上有个好大的马蜂窝",
    "墙上有一条好长的裂缝 会不会有危险",
    "楼上卫生间渗水 我家天花板一圈黄印子 慢慢在扩大",
    "上个月楼道里着过一次火 烧黑的电线到现在都没换",
])
def test_potential_or_past_hazards_are_normal(text):
    result = parse(text)
    assert (result.is_report, result.urgency) == (True, "normal")


def test_urgency_is_null_for_non_reports():
    assert parse("【通知】明天下午消防演练 届时会有警报声").urgency is None


# ---------------------------------------------------------------- robustness

@pytest.mark.parametrize("text", [
    "", " ", "\n\t", "🙏🙏🙏", "😀" * 500, "\x00\x01\x02楼道\x7f灯坏了\x1b[31m",
    "a" * 10000, "漏" * 10000, "3栋" * 3000, "1-2-3-4-5-6-7-8", "#" * 200, "@" * 50,
    "Ελληνικά русский عربى 한국어 日本語の文章 English mixed 楼道灯坏了",
    "\ud800", "[捂脸]" * 100, "第栋单元号楼", "9" * 400 + "栋",
    None, b"\xe6\xa5\xbc\xe9\x81\x93\xe7\x81\xaf\xe5\x9d\x8f\xe4\xba\x86", b"\xff\xfe", 12345,
])
def test_never_raises(text):
    result = parse(text)
    assert isinstance(result, ParseResult)
    assert isinstance(parse_location(text), tuple)
    d = result.to_dict()
    assert list(d) == ["is_report", "category", "building", "unit", "room", "urgency"]
    if not result.is_report:
        assert set(d.values()) == {False, None}


def test_bytes_are_decoded():
    assert parse("楼道灯坏了".encode()).category == FAC


def test_warm_loads_once():
    assert warm() is warm()


def test_cli_skips_malformed_lines_and_keeps_going():
    import io
    import json

    from handlers.tickets.parse_cli import run

    stdin = io.StringIO(
        '{"id": "a", "text": "3栋2单元楼道灯坏了"}\n'
        "this is not json\n"
        '{"id": "b"}\n'
        "\n"
        '{"id": "c", "text": "收到"}\n'
    )
    stdout, stderr = io.StringIO(), io.StringIO()
    status = run(stdin, stdout, stderr)
    rows = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert [r["id"] for r in rows] == ["a", "c"]
    assert list(rows[0]) == ["id", "is_report", "category", "building", "unit", "room", "urgency"]
    assert rows[0]["category"] == FAC and (rows[0]["building"], rows[0]["unit"]) == ("3", "2")
    assert "设施维修" in stdout.getvalue()  # ensure_ascii=False
    assert "line 2" in stderr.getvalue() and "line 3" in stderr.getvalue()
    assert status == 1


def test_a_report_with_the_reporters_phone_is_still_a_report_and_an_ad_is_not():
    from handlers.tickets.parser import parse

    report = parse("3栋2单元楼道灯坏了 电话13912345678")
    assert (report.is_report, report.category, report.building, report.unit, report.room) == (
        True, "设施维修", "3", "2", None)
    assert parse("专业疏通下水道 空调清洗 价格实惠 电话13912345678").is_report is False


# ---------------------------------------------------------------- the cache of short texts

def test_a_repeated_short_text_is_answered_from_the_cache_with_the_same_parse():
    from handlers.tickets import parser

    text = "7#楼的楼梯灯坏了 快来人"
    before = parser._parse_short.cache_info().hits
    first, again = parse(text), parse(text)
    assert again is first and parser._parse_short.cache_info().hits == before + 1
    assert first == parser._parse_safely(text) == ParseResult(True, FAC, "7", None, None, "normal")


def test_long_texts_are_parsed_in_full_and_not_kept():
    from handlers.tickets import parser

    text = "我们小区" + "真的" * parser.SHORT_TEXT + "3栋楼道灯坏了"
    size = parser._parse_short.cache_info().currsize
    assert parse(text).building == "3" and parser._parse_short.cache_info().currsize == size
