"""Every genre of guide (GUIDELINES.md), from real sentences of the development set (corpus/d01-d13):
short guides written to a file and run through the whole record path, so each test shows one
mechanism: what a section offers, how the numbering nests, what a call for one thing is named."""
from __future__ import annotations

from collections import Counter

import pytest

from extractors.contacts import parse_contact_lines
from extractors.deadlines import extract_deadlines
from extractors.document import extract_file


@pytest.fixture
def guide(tmp_path):
    def make(text: str, name: str = "guide.txt"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return extract_file(path, tmp_path)
    return make


def funding_of(g, name):
    """(min, max, modes) of each Funding of the programme, as a multiset."""
    (p,) = [p for p in g.programs if p.name == name]
    return Counter((f.min_cny, f.max_cny, tuple(f.modes)) for f in p.funding)


# --- support measures (实施办法, 若干措施): articles and items that pay ------------------------------

D03 = """广州市天河区深化支持港澳青年创新创业高质量发展实施办法
广州市天河区科技工业和信息化局
2023年8月9日
第一条 为全面落实《粤港澳大湾区发展规划纲要》，制定本实施办法。
第二条 本办法所称港澳青年，是指45周岁以下，具有中国国籍的香港、澳门特别行政区居民。
第三条 载体建设。被香港特别行政区政府、澳门特别行政区政府授予港澳青年创新创业相关荣誉称号的天河区行政区域内创新创业孵化载体，给予每家30万元一次性配套建设支持；被党委、政府及其统战、台港澳事务、科技、人社部门评定为国家级、省级、市级港澳青年创新创业孵化载体的天河区行政区域内创新创业孵化载体，分别给予每家80万元、30万元、20万元一次性配套建设支持。
第四条 平台服务。每年安排最高100万元经费支持天河区港澳青年创新创业服务中心（天河区港澳青年之家）建设。
第五条 企业培育。对天河区行政区域内符合条件的港澳青年企业给予支持和发展奖励，具体如下：
（一）落户补贴。在天河区依法登记注册的港澳青年企业，给予一次性10万元的落户奖金支持，每年获支持企业数量最多不超过10个。
（二）租金补贴。在天河区依法登记注册并实际运营满一年的港澳青年企业，对其实际发生的场地租金总额的50%予以租金补贴，每个企业租金补贴每年不超过5万元、补贴期限最长不超过3年。
第九条 符合本办法规定的同一项目、事项同时符合天河区其他扶持政策规定的，按照同级财政、同类事项就高不重复的原则予以扶持。
第十三条 本办法自2023年9月8日起施行，有效期3年。
"""


def test_support_measure_articles_that_pay_are_programmes(guide):
    g = guide(D03)
    assert [p.name for p in g.programs] == ["载体建设", "平台服务", "企业培育", "落户补贴", "租金补贴"]
    by = {p.id: p.name for p in g.programs}
    assert [by.get(p.parent) for p in g.programs] == [None, None, None, "企业培育", "企业培育"]
    # a graded list gives one Funding per amount; a lead-in (`具体如下：`) pays nothing itself
    assert funding_of(g, "载体建设") == Counter([(300000, 300000, ("grant",))] * 2 + [(800000, 800000, ("grant",)),
                                                 (200000, 200000, ("grant",))])
    assert funding_of(g, "企业培育") == Counter([])
    # a rate with a yearly cap: the cap as max
    assert funding_of(g, "租金补贴") == Counter([(None, 50000, ("grant",))])
    # the programme's whole yearly budget
    (platform,) = [p for p in g.programs if p.name == "平台服务"]
    assert [(f.max_cny, f.per) for f in platform.funding] == [(1000000, "program_total")]
    # definitions, stacking and validity articles are never programmes, nor is 施行 a deadline
    assert not g.deadlines and g.region.code == "440106" and g.year == 2023


def test_every_amount_span_is_the_evidence(guide):
    g = guide(D03)
    for p in g.programs:
        for f in p.funding:
            assert g.text[f.span.start:f.span.end] == f.text
            if f.amount_span:
                assert f.text.find(g.text[f.amount_span.start:f.amount_span.end]) >= 0


D06 = """关于支持长三角G60科创走廊策源地建设的若干措施
一、共筑科技创新策源地
（一）加强应用性基础研究。建立企业共同参与的多元投入机制，开展市场导向的应用性基础研究。按照规定分阶段给予不超过总投入30%、最高3000万元的经费支持。
（二）建设开放协同的高能级科创平台。围绕重点发展产业和前沿领域，创建全国重点实验室。
二、共建世界级产业集群
（三）加速航空航天产业发展。引育上下游重点项目，按照规定分阶段给予不超过总投入15%、最高5000万元的经费支持。鼓励卫星互联网技术规模化应用，按照规定给予最高1000万元的一次性奖励。
"""


def test_measures_numbered_across_chapters_and_caps_after_a_rate_of_investment(guide):
    g = guide(D06)
    # 总投入 governs the rate, not the cap; items without money are not programmes; chapters are groupings
    assert [p.name for p in g.programs] == ["加强应用性基础研究", "加速航空航天产业发展"]
    assert funding_of(g, "加强应用性基础研究") == Counter([(None, 30000000, ("phased",))])
    assert funding_of(g, "加速航空航天产业发展") == Counter([(None, 10000000, ("grant",)), (None, 50000000, ("phased",))])
    assert all(p.parent is None for p in g.programs)


# --- special fund with numbered directions paying by rate ---------------------------------------

D01 = """“机器人”专项资金企业转型升级申报条件及要求
一、专题方向
（一）工业机器人骨干企业的重大技术创新及产业化
采用股权投资方式支持已认定的广东省工业机器人骨干企业实施的重大技术创新及产业化项目，单个项目资助额度原则上不低于1000万元，且财政资金所占股份比例不超过被投资企业总股本的30%。
（二）工业机器人应用
方向1：对已认定的广东省工业机器人骨干企业销售机器人给予事后奖补，由财政对优惠的30%予以事后奖补。
方向2：支持我省制造业企业应用省内自主品牌工业机器人进行智能化改造，并按照机器人购置额的10%予以事后奖补。
二、申报条件
（一）项目单位在东莞市内注册、具有独立法人资格、属于规模以上工业企业，项目实施地在广东境内。
四、报送要求
申报单位将申报资料一式三份（含电子版一份）于2016年5月20日（周五）前报送至市经信局技术进步与质量科。联系人：刘宇；联系电话：0769-22221295。
"""


def test_directions_that_pay_by_rate_are_nested_programmes(guide):
    g = guide(D01)
    names = [p.name for p in g.programs]
    assert names[:2] == ["工业机器人骨干企业的重大技术创新及产业化", "工业机器人应用"]
    by = {p.id: p.name for p in g.programs}
    assert [by.get(p.parent) for p in g.programs[2:]] == ["工业机器人应用", "工业机器人应用"]
    assert funding_of(g, names[0]) == Counter([(10000000, None, ("equity",))])  # a floor, equity
    assert funding_of(g, names[3]) == Counter([(None, None, ("post_subsidy",))])  # a rate alone: null amounts
    # a contact mid-paragraph, a date before 前 with a weekday between
    assert [(c.names, c.phones) for c in g.contacts] == [(["刘宇"], ["0769-22221295"])]
    assert [(d.kind, d.at) for d in g.deadlines] == [("submission_close", "2016-05-20")]
    assert g.year == 2016  # no plan year, no issue date: the deadline's year


# --- a call for one thing --------------------------------------------------------------------------

D04 = """工业和信息化部办公厅 农业农村部办公厅关于开展农业领域机器人典型应用场景遴选工作的通知
一、征集范围
（一）种植。针对作物多样、种植条件复杂等特点，征集农情监测、精细耕整等机器人典型应用场景。
（二）养殖。针对畜牧水产养殖环境中动物行为复杂等特点，征集养殖巡检、精准饲喂等机器人典型应用场景。
二、申报要求
（一）以联合体形式申报。由机器人研制单位牵头联合申报，参与单位原则上不超过5家。
三、组织实施
（二）审核推荐。各省级工业和信息化、农业农村主管部门按推荐优先顺序填写推荐表，于2026年8月14日前将申报书和推荐表盖章后的扫描电子版（PDF）报送。
四、联系方式
（三）中国软件评测中心
联系方式：余娴 010-60738198；李梦玮 010-60738364
工业和信息化部办公厅
农业农村部办公厅
2026年6月9日
"""


def test_a_call_for_one_thing_is_one_programme_named_from_its_title(guide):
    g = guide(D04)
    assert [p.name for p in g.programs] == ["农业领域机器人典型应用场景遴选"]
    (p,) = g.programs
    assert [d.title for d in p.directions] == ["种植", "养殖"]
    assert g.region.code == "100000" and g.year == 2026
    assert [(d.kind, d.at) for d in g.deadlines + p.deadlines] == [("recommendation_close", "2026-08-14")]
    people = sorted((n, tuple(c.phones)) for c in g.contacts + p.contacts for n in c.names)
    assert people == [("余娴", ("010-60738198",)), ("李梦玮", ("010-60738364",))]


def test_a_document_that_calls_for_nothing_has_no_programme(guide):
    g = guide("关于公布2023年度科技奖励获奖名单的公告\n一、获奖名单\n（一）张三\n（二）李四\n")
    assert g.programs == [] and any(i.code == "NO_PROGRAMS" for i in g.issues)


# --- 揭榜 list, groupings over groupings -----------------------------------------------------------

D12 = """北京市政务服务和数据管理局关于组织开展2025北京市智慧城市场景创新需求清单揭榜工作的通知
一、2025北京市智慧城市场景创新需求清单
（一）市级综合清单
1.智慧治理类场景
（1）“京云智库”智慧调研大模型应用场景
（2）“京智”智能问数大模型应用场景
2.公共服务类场景
（3）120急救智能呼叫场景
（二）大兴区域专项清单
1.区域慢病管理场景
2.AI医疗影像实时质控场景
二、申报说明
（一）申报条件
1.申报单位应是依法设立并具有独立承担民事责任能力的单位，信用记录良好。
2.攻关周期不超过1年。
"""


def test_a_jiebang_list_gives_its_scenarios_as_directions(guide):
    g = guide(D12)
    (p,) = g.programs
    assert (p.name, p.category) == ("智慧城市场景创新需求清单揭榜", "open_competition")
    titles = [d.title for d in p.directions]
    assert "“京云智库”智慧调研大模型应用场景" in titles and "120急救智能呼叫场景" in titles
    assert "区域慢病管理场景" in titles and "市级综合清单" not in titles
    assert g.year == 2025


# --- compendium: a table of contents, restarted numbering, subsidy cards ---------------------------

D13 = """内江市返乡下乡创业政策汇编
目  录
一、内江市返乡入乡农民工创业补贴..................................01
二、内江市创业培训补贴..................................04
一、内江市返乡入乡农民工创业补贴
一、补贴对象
在省内首次创办小微企业或从事个体经营的返乡入乡农民工。
二、补贴标准
实施分段补贴办法，正常运营6个月以上的，给予创业补贴5000元；正常运营18个月以上的，再给予创业补贴，最高不超过1万元。
三、申报资料
（一）有效期内“居民身份证”；
（二）工商登记注册证书；
咨询电话：
市本级农民工服务中心08322037979
东兴区农民工服务08325865582
二、内江市创业培训补贴
一、申报条件
经各县（市、区）人力资源和社会保障局认定的培训机构。
二、补贴标准
GYB(创业意识培训）200元/人；SYB（创办你的企业系列培训）1000元/人。
政策咨询服务热线：
人社服务热线：12333
"""


def test_a_compendium_of_subsidy_cards(guide):
    g = guide(D13)
    assert [p.name for p in g.programs] == ["内江市返乡入乡农民工创业补贴", "内江市创业培训补贴"]
    assert funding_of(g, "内江市返乡入乡农民工创业补贴") == Counter([(5000, 5000, ("phased",)), (None, 10000, ("phased",))])
    # amounts in a 补贴标准 part need no paying verb of their own
    assert funding_of(g, "内江市创业培训补贴") == Counter([(200, 200, ("grant",)), (1000, 1000, ("grant",))])
    (first, second) = g.programs
    assert [r.text for r in first.requirements] == ["在省内首次创办小微企业或从事个体经营的返乡入乡农民工。",
                                                    "有效期内“居民身份证”；", "工商登记注册证书；"]
    phones = sorted(ph for c in g.contacts + first.contacts + second.contacts for ph in c.phones)
    assert phones == ["0832-2037979", "0832-5865582", "12333"]
    assert [p.category for p in g.programs] == ["enterprise_innovation", "talent"]


# --- policy cards with numbered directions carrying their own caps ---------------------------------

D10 = """北京市产业政策导引
二〇二四年
1. 北京市高精尖产业发展资金实施指南
北京市高精尖产业发展资金实施指南
1．提高产业创新能力
大力促进高精尖产业能级跃升，提高产业创新能力。
方向1集成电路设计产品首轮流片奖励。对符合条件的企业按照流片费用一定比例予以奖励，单个企业奖励金额最高不超过 3000万元。
方向3重点新材料首批次应用示范奖励。按照销售额的一定比例分档奖励，单个产品奖励最高不超过 500万元，单个企业奖励金额最高不超过1000万元。
2．推动高精尖项目投资落地
方向 7 重点投资项目贷款贴息。按照不超过 2%的贴息率给予普惠性贴息。单个企业年度贴息金额最高不超过 1000万元。
2. 北京市人工智能算力券实施方案
北京市人工智能算力券实施方案
1．支持内容：
凡符合以上条件的企业，均可享受智能算力合同额一定比例的算力券补贴。
"""


def test_policy_cards_nest_their_numbered_directions(guide):
    g = guide(D10)
    by = {p.id: p.name for p in g.programs}
    parents = {p.name: by.get(p.parent) for p in g.programs}
    assert parents["集成电路设计产品首轮流片奖励"] == "北京市高精尖产业发展资金实施指南"
    assert parents["重点投资项目贷款贴息"] == "北京市高精尖产业发展资金实施指南"
    assert funding_of(g, "重点新材料首批次应用示范奖励") == Counter([(None, 5000000, ("grant",)), (None, 10000000, ("grant",))])
    assert funding_of(g, "重点投资项目贷款贴息") == Counter([(None, 10000000, ("other",))])
    (card,) = [p for p in g.programs if p.name == "北京市高精尖产业发展资金实施指南"]
    assert [d.title for d in card.directions] == ["提高产业创新能力", "推动高精尖项目投资落地"]  # topics
    assert g.year == 2024 and g.region.code == "110000"


# --- field rules on single sentences ---------------------------------------------------------------

@pytest.mark.parametrize("sentence,year,expected", [
    ("企业应于2016年12月31日17:30前在网上完成预申报工作，并积极配合补充、完善相关申报材料；", 2016,
     [("submission_close", "2016-12-31T17:30")]),
    ("各地级市科技部门在阳光政务平台上的审核、提交审核结果的截止时间为2017年9月1日17:00。", 2017,
     [("recommendation_close", "2017-09-01T17:00")]),
    ("建档和查验材料：2017年8月7日至8月21日", 2017, [("materials_close", "2017-08-21")]),
    ("系统填报：2017年8月7日至9月8日", 2017, [("submission_open", "2017-08-07"), ("submission_close", "2017-09-08")]),
    ("●自2021年4月1日起，对个体工商户代开货物运输业增值税发票时，不再预征个人所得税。", 2025, []),
    ("授权公告日在2017年1月1日至6月30日期间的国内发明专利", 2017, []),
    ("申报时间：即日起至2025年6月30日17时。", 2025, [("submission_close", "2025-06-30T17:00")]),
    ("请于2025年6月30日（星期五）17:00前完成网上申报。", 2025, [("submission_close", "2025-06-30T17:00")]),
])
def test_deadline_sentences(sentence, year, expected):
    assert [(d.kind, d.at) for d in extract_deadlines(sentence, year)] == expected


@pytest.mark.parametrize("block,expected", [
    ("联 系 人：市经信局企业促进科 王国伟 黎晓红\n联系电话：22220117，22220109",  # d09: a unit before the names
     [("市经信局", "企业促进科", ["王国伟", "黎晓红"], ["0769-22220117", "0769-22220109"], [])]),
    ("罗力科  电话：020-38458076   邮箱：982797326@qq.com",  # d02: a name before a phone label
     [(None, None, ["罗力科"], ["020-38458076"], ["982797326@qq.com"])]),
    ("（咨询市农业农村局计划投资财务科0832-2023832、省农担内江分公司0832-2261768）",  # d13: an aside, two units
     [("市农业农村局", "计划投资财务科", [], ["0832-2023832"], []), ("省农担内江分公司", None, [], ["0832-2261768"], [])]),
    ("税务服务热线：12366   人社服务热线：12333",  # d13: hotlines kept as printed, each with its label
     [(None, None, [], ["12366"], []), (None, None, [], ["12333"], [])]),
])
def test_contact_lines_of_the_development_set(block, expected):
    lines, pos = [], 0
    for part in block.split("\n"):
        lines.append((pos, pos + len(part)))
        pos += len(part) + 1
    got = [(c.org, c.department, c.names, c.phones, c.emails) for c in parse_contact_lines(block, lines, "0769")]
    assert got == expected


# --- a national guide laid out by chapter ----------------------------------------------------------

D11 = """2015国家火炬计划申报条件及流程
一、申报条件
（一）基本条件。
申报单位应是在中华人民共和国境内注册、具有独立法人资格的企事业单位。
二、申报组织
（一）面上项目。
1. 产业化环境建设项目通过地方科技厅（委、局）推荐申报。
（二）重大项目
1. 创新型产业集群项目。
被认定为创新型产业集群建设试点的国家高新区管理机构负责提出项目建议，每个集群各推荐1个项目。
2. 科技服务体系项目。
被认定为科技服务体系火炬创新工程试点的国家高新区管理机构负责提出项目建议，每个单位各推荐1个项目。
三、支持方式
（一）面上项目。
产业化环境建设项目。择优给予国拨经费支持。项目实施期限为1年。
（二）重大项目。
创新型产业集群项目。项目实施周期原则上为1年。
"""


def test_programmes_laid_out_by_chapter_are_one_programme_each(guide):
    g = guide(D11)
    by = {p.id: p.name for p in g.programs}
    assert [(p.name, by.get(p.parent)) for p in g.programs] == [
        ("面上项目", None), ("重大项目", None), ("创新型产业集群项目", "重大项目"), ("科技服务体系项目", "重大项目")]
    # the 支持方式 chapter's 面上项目 section is 面上项目's own text too
    assert funding_of(g, "面上项目") == Counter([(None, None, ("grant",))])
    assert (g.region.code, g.year) == ("100000", 2015)


def test_measures_in_a_support_policy_chapter_are_programmes_named_by_their_first_clause(guide):
    g = guide("""某某市促进科技创新若干措施
第一章 总则
第一条 为加快建设创新型城市，制定本措施。
第二章 支持政策
第三条 对新认定的国家高新技术企业，给予一次性奖励30万元。
第四条 对企业研发投入，按上年度研发费用的10%给予补助，最高不超过500万元。
第三章 附则
第五条 本措施自2024年1月1日起施行。
""")
    # `支持政策` as a chapter groups measures; inside a programme card it is the card's funding part
    assert [(p.name, Counter((f.min_cny, f.max_cny) for f in p.funding)) for p in g.programs] == [
        ("对新认定的国家高新技术企业", Counter([(300000, 300000)])), ("对企业研发投入", Counter([(None, 5000000)]))]
    assert g.deadlines == [] and g.year is None  # 施行 is no deadline; no year is stated: unknown


JIEBANG = """关于发布2025年度某市“揭榜挂帅”科技项目榜单的通知
各有关单位：
现将2025年度“揭榜挂帅”科技项目榜单予以发布，有关事项通知如下：
一、榜单项目
（一）高性能锂电池隔膜制备技术攻关
需求内容：突破高孔隙率隔膜制备关键技术。
支持额度：拟给予最高300万元资助。
（二）智能巡检机器人研发
需求内容：研制适用于变电站的智能巡检机器人。
支持额度：拟给予最高200万元资助。
二、揭榜条件
（一）揭榜方应为在本市注册的企业、高校或科研院所。
（二）揭榜方应具有良好的信用记录。
三、申报时间
申报截止时间为2025年6月30日17:00。
四、联系方式
市科技局 联系人：李明 电话：0571-87054322
"""


def test_a_jiebang_list_whose_items_carry_money_gives_one_programme_per_item(guide):
    g = guide(JIEBANG)
    assert [(p.name, p.category, p.parent) for p in g.programs] == [
        ("高性能锂电池隔膜制备技术攻关", "open_competition", None), ("智能巡检机器人研发", "open_competition", None)]
    assert [Counter((f.min_cny, f.max_cny) for f in p.funding) for p in g.programs] == [
        Counter([(None, 3000000)]), Counter([(None, 2000000)])]
    assert [(d.kind, d.at) for d in g.deadlines] == [("submission_close", "2025-06-30T17:00")]
    assert [(c.names, c.phones) for c in g.contacts] == [(["李明"], ["0571-87054322"])]


def test_requirement_paragraphs_lists_of_focus_areas_and_sub_lists(guide):
    g = guide("""关于印发《黄浦区中小微企业贷款贴息支持办法》的通知
一、支持对象
适用于符合中小微型企业划型标准且在本区经营的企业，企业财务管理制度健全且信用记录良好。
企业行业类型符合区产业发展导向，重点如下：
1.科创服务业：数字科技、生命健康等；
2.专业服务业：广告服务、人力资源、咨询服务等。
二、申报资料
（一）工业机器人应用专题申报资料要求
1．项目申请表（见附件3）；
2．2015年度缴交税款证明；
三、申报限制
有下列情形之一的，属于限制申报范围：
（一）同一项目不得重复申报。
""")
    texts = [r.text for r in g.requirements + [r for p in g.programs for r in p.requirements]]
    # a section's own paragraphs are requirements; a list introduced as focus areas is not
    assert "适用于符合中小微型企业划型标准且在本区经营的企业，企业财务管理制度健全且信用记录良好。" in texts
    assert not any(t.startswith("科创服务业") for t in texts)
    # a sub-list under a materials part is read; a bare lead-in is no requirement
    assert "项目申请表（见附件3）；" in texts and "2015年度缴交税款证明；" in texts
    assert "同一项目不得重复申报。" in texts and not any(t.startswith("有下列情形之一") for t in texts)


PROVINCIAL = """2025年度某省重点研发计划项目申报指南
第一部分 重点研发计划
一、高端装备制造
（一）研究内容：开展工业母机关键部件研发。
（二）考核指标：形成样机1台。
（三）支持强度：每项不超过300万元。
二、新材料
（一）研究内容：研发高性能复合材料。
（二）支持强度：每项不超过200万元。
第二部分 软科学研究计划
支持开展科技政策研究，每项资助5-10万元。
第三部分 申报要求
一、申报单位应为在本省注册的独立法人单位。
二、项目负责人年龄不超过60周岁。
第四部分 申报时间
网上申报时间为2025年3月1日至3月31日。
"""


def test_a_special_project_guide_in_parts_with_directions_that_state_their_money(guide):
    g = guide(PROVINCIAL)
    by = {p.id: p.name for p in g.programs}
    assert [(p.name, by.get(p.parent)) for p in g.programs] == [
        ("重点研发计划", None), ("高端装备制造", "重点研发计划"), ("新材料", "重点研发计划"), ("软科学研究计划", None)]
    # a 支持强度 sentence is one Funding, however many readings find it
    assert [Counter((f.min_cny, f.max_cny) for f in p.funding) for p in g.programs] == [
        Counter(), Counter([(None, 3000000)]), Counter([(None, 2000000)]), Counter([(50000, 100000)])]
    assert [(d.kind, d.at) for d in g.deadlines] == [("submission_open", "2025-03-01"), ("submission_close", "2025-03-31")]
