#!/usr/bin/env python3
"""Holdout evaluation set 2 for the social-assistance Q&A bot.

Questions written only from the five corpus files in ../shared/corpus/ (beside the repository).
Run without arguments to check; with --write to write resident_holdout2.jsonl.
"""
import json
import os
import random
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.environ.get("CORPUS", os.path.join(HERE, "..", "..", "..", "shared", "corpus"))
OUT = os.path.join(HERE, "resident_holdout2.jsonl")

A = "000_af371565f628b411.txt"   # 青海民政十二项措施
B = "001_5a044e6a7ae10426.txt"   # 珙县后扶贫时代兜底保障试点方案
C = "002_7906d49b427e11db.txt"   # 刚察县民政十四五思路
D = "003_fbe516fa33e86af9.txt"   # 2022年民政系统推进会发言合集
E = "004_f3d72d4f8696011b.txt"   # 贵州民政兜底脱贫攻坚三年行动计划

# (kind, question, docs, expect_any)
# kind (not written out): dialect / everyday / typo / runon / story / child /
# numwords / fragment / formal
Q = [
    # ---------------- 000 青海 ----------------
    ("dialect", "俺家不够低保条件，可俺儿子是重残，青海这边能不能让他一个人单独吃上低保？",
     [A], ["参照“单人户”纳入低保"]),
    ("typo", "青海的底保 家里收入刚超过标准一点 是不是立马就给停了 还能缓多久",
     [A], ["不少于1年的渐退期"]),
    ("story", "俺老汉前些年脱了贫，这两年腰坏了啥活都干不了，家里也没啥产业，就靠俺种点洋芋，这种情况还能进低保不？",
     [A], ["无法通过产业就业获得稳定收入"]),
    ("everyday", "除了自己去村上申请，还有没有别的办法让政府晓得俺家过不下去了？",
     [A, B], ["基层干部定期跟踪回访", "定期走访辖区内住户"]),
    ("child", "我妈瘫在床上好几年了，家里吃低保，我在外地上班回不去，政府能不能派人去照顾一下她，看病的时候陪一下？",
     [A, B], ["送医陪护服务", "探视、照料服务"]),
    ("typo", "低宝能不能在手机上申请 俺腿脚不好不想跑乡上",
     [A], ["“一网办”、“掌上办”"]),
    ("formal", "青海省农牧区低收入贫困家庭的收入认定标准是怎样确定的？",
     [A], ["当地农村低保标准的2倍"]),
    ("story", "娃他爹在工地上摔了，送到州医院要押金，家里一分钱都拿不出来，听说有临时救助，是要等看完病拿着单子去报还是能先给点钱救急？",
     [A], ["先期垫付临时救助金", "事后进行干预和救助"]),
    ("dialect", "俺有个儿子 可他压根不管俺 这种情况能不能算没人养的 五包户管不管俺",
     [A], ["无履行义务的情形"]),
    ("everyday", "俺是五保老人，现在瘫了下不了炕，自己在家没人管，有啥地方能收俺住进去照顾？",
     [A, D], ["县乡两级养老机构", "以失能特困人员专业照护为主"]),
    ("child", "我爹不愿意去养老院，就想待在自己屋里头，能不能有人上门去照顾他？",
     [A, C], ["上门为居家老年人提供服务", "政府购买居家养老服务"]),
    ("everyday", "我是残疾人，户口在老家，人在外省打工，残疾人那两样补贴能在外地办吗？",
     [A, D], ["“两项补贴”实现跨省通办", "两项补贴实现跨省通办"]),
    ("everyday", "家里老人要用轮椅拐杖那些 买一个太贵了 能不能在社区租着用",
     [A, D], ["康复辅具社区租赁服务试点"]),
    ("story", "娃他爸进去坐牢了，他妈也跑了好几年没音信，娃一直跟着我这个奶奶过，青海这边这种娃有没有补助，以后会不会往上涨？",
     [A], ["儿童保障标准自然增长机制"]),
    ("runon", "男人出去打工了俺一个人在家带娃种地还要伺候老人有没有关心俺们这种留在家里的妇女的",
     [A], ["农村留守妇女关爱服务制度"]),
    ("dialect", "俺们村里娶个媳妇彩礼要二十来万 把人家都要穷了 政府管不管这个事",
     [A], ["杜绝天价彩礼"]),
    ("story", "俺们村口来了个流浪的，说不清自己是哪里人，送到救助站都三个多月了还找不到家，后面咋安置他，能给他上户口不？",
     [A], ["滞留三个月仍无法查明身份", "协调公安机关登记户口"]),
    ("fragment", "冬天 流浪人员 有没有专门救助",
     [A], ["“寒冬送温暖”专项救助行动"]),
    ("everyday", "救助是不是就只给钱 还能给东西或者派人帮忙不",
     [A, B, D], ["“资金+实物+服务”救助模式", "物质+服务的救助方式", "拓展“物质+服务”"]),

    # ---------------- 001 珙县 ----------------
    ("story", "我们是珙县的，家里吃了几年低保，今年娃出去打工了，一算人均收入超过低保线了，是不是马上就把低保停了？",
     [B], ["视其情况实行312个月", "超过当年低保标准且不高于2倍"]),
    ("dialect", "俺是重残 俺哥自己也是低收入户 养不起俺 能不能不算他家 单独给俺一个人办低保",
     [B, A], ["可按单人户依程序纳入低保范围", "参照“单人户”纳入低保"]),
    ("story", "俺家收入其实超了低保线一点点，可是娃在读大学，老婆常年吃药看病，一年到头花钱跟流水一样，这种能吃低保不？",
     [B], ["刚性支出超出承受能力", "刚性支出发生者本人纳入低保"]),
    ("everyday", "我在家伺候瘫痪的老娘没出去上班，评低保算收入的时候会不会按最低工资给我算一份？",
     [B], ["不再按当地最低工资标准"]),
    ("numwords", "家里娃还不到两岁 我在家带娃没上班 算家里收入的时候会不会把我也算进去",
     [B], ["2周岁以下婴儿"]),
    ("dialect", "娃是特因供养的 今年满十七了 过了十六岁还管不管",
     [B, C], ["从16周岁延长至18周岁", "从16周岁延长18周岁"]),
    ("story", "屋头老的是老年痴呆，我们又是独生子女没了的家庭，两口子都上了年纪照顾不过来，有没有便宜点或者不要钱的地方能托养？",
     [B], ["无偿或低收费托养服务", "计生特殊家庭老年人"]),
    ("formal", "珙县临时救助重点关注哪些群众？",
     [B], ["处于低保边缘人群", "返贫风险较高的脱贫人口"]),
    ("dialect", "吃低保的有没有人定期来看看俺们 多久来一回",
     [B], ["1名党员结对帮扶", "每季度至少"]),
    ("fragment", "巡场镇 购买服务试点",
     [B], ["在巡场镇开展购买服务试点"]),
    ("formal", "珙县评估申请救助家庭的贫困程度时以哪些指标作为认定依据？",
     [B], ["健康状况、教育状况、居住状况"]),
    ("dialect", "网格员会不会上门来看俺们这些困难户 发现了咋弄",
     [B], ["网格员等加强排查", "及时转介相应的社会救助管理部门"]),
    ("formal", "社会救助对象能否申请扶贫小额信贷？",
     [B], ["扶贫小额信贷"]),
    ("story", "我们隔壁那家有车有门面还瞒着吃低保，要是被查出来会咋样，钱要不要退回来？",
     [B], ["记入其信用档案", "责令退回非法所得"]),
    ("typo", "珙县临时救主三千块钱以下的是乡镇就能定还是要报到县里",
     [B], ["3000元以下临时救助的确认权"]),
    ("fragment", "珙县 救助 网上平台 几月开始用",
     [B], ["市社会救助综合服务平台"]),
    ("everyday", "村里有没有专门管救助这块的人 俺有事该找谁",
     [B, D], ["兼任社会救助工作协理员", "1.8万名社会救助协理员"]),
    ("formal", "珙县后扶贫时代兜底保障试点工作方案从何时开始执行？",
     [B], ["自2020年5月1日起执行"]),
    ("typo", "五包户是不是要评估能不能自理 评了有啥用",
     [B], ["自理能力评估"]),
    ("runon", "办救助的干部要是优亲厚友把自己亲戚都弄进去了咋办有人管没得",
     [B], ["徇私舞弊", "依法依纪追究责任"]),

    # ---------------- 002 刚察 ----------------
    ("formal", "刚察县民政工作优先保障哪几类群体的基本社会服务？",
     [C], ["困难群体、特殊群体、优抚群体"]),
    ("dialect", "屋里一下子遭了难日子过不下去了 刚察这边能帮一把不",
     [C], ["凡困必帮有难必救"]),
    ("story", "俺家够不上低保，俺女子是重残干不了活，一家子就靠俺男人打零工，刚察这边对这种人有啥办法没？",
     [C], ["制定低收入家庭救助工作意见", "采取必要措施保障其基本生活"]),
    ("formal", "低保标准是否会随物价上涨而调整？",
     [C], ["低保标准与物价上涨挂钩"]),
    ("dialect", "敬老院里头那些五保老汉整天闲着 有没有啥耍的",
     [C], ["必要的娱乐设施和条件"]),
    ("story", "俺户口还在老家乡下，这几年一直在县城租房子住，办了居住证，能不能就在县城这边申请救助？",
     [C, D], ["持有居住证人员在居住地申办", "放宽居住地申办低保条件"]),
    ("dialect", "俺是牧民 在城里住了好些年了 救助是按城里人算还是按牧区算",
     [C], ["按城镇居民予以救助"]),
    ("everyday", "申请救助到底去哪交材料 乡上还是县上",
     [C, B], ["乡镇经办机构统一受理", "规范乡镇社会救助窗口设置"]),
    ("fragment", "刚察 防止漏保 监测",
     [C], ["以防“漏保”为重点"]),
    ("typo", "刚察孤儿的生活补主会不会每年涨",
     [C], ["补助标准动态增长机制"]),
    ("formal", "刚察县未成年人保护工作由哪个部门牵头？",
     [C], ["更好发挥民政部门牵头作用"]),
    ("everyday", "领老年人那个补贴是不是先要评估一下 评啥",
     [C], ["老年人能力综合评估", "评估结果作为领取老年人补贴"]),
    ("child", "我爸妈年纪大了不想去养老院，能不能在家里弄个像养老院那样的床位，让人上门来护理？",
     [C], ["“家庭养老床位”"]),
    ("child", "我爸瘫了我妈一个人照顾他，她啥也不会，政府有没有人教她咋护理？",
     [C], ["家庭成员照护培训"]),
    ("everyday", "家里八九十岁的老人 厕所想装个扶手 门槛想铲平 政府给不给弄",
     [C, D], ["高龄老年人家庭适老化改造", "适老化改造5000户"]),
    ("everyday", "附近有没有给老人做饭吃的地方 老两口自己做不动了",
     [C], ["“幸福食堂”建设试点", "就近便利的助餐服务"]),
    ("child", "我想去学照顾老人的手艺以后去养老院上班，有没有培训？",
     [A, C], ["养老护理员职业技能培训"]),
    ("story", "老汉前天走了，家里是低保户，拉去火化要花不少钱，听说困难户能减免，是真的不？",
     [C], ["以减免或补贴方式提供遗体接运"]),
    ("dialect", "俺娃要结婚 结婚证能在乡里领不 还是要跑县上",
     [C], ["取消乡镇婚姻登记管理职能"]),
    ("everyday", "低保政策有没有那种小册子 发到村里让大家看的",
     [C], ["城乡低保宣传手册"]),

    # ---------------- 003 推进会发言合集 ----------------
    ("formal", "低保边缘家庭和支出型困难家庭的认定条件由哪些部门出台的办法规定？",
     [D], ["低收入人口认定及救助暂行办法", "13个部门出台"]),
    ("dialect", "申情低保是不是乡镇就能批了 还要不要报到县里",
     [D, B], ["审核确认权限委托下放", "确认权委托下放至乡镇政府"]),
    ("numwords", "听说省里监测了二百多万困难群众 到底是多少",
     [D], ["监测困难群众271万人"]),
    ("dialect", "村里谁家遇上大病大灾的 有没有大家伙凑钱互助的那种",
     [D], ["“救急难”互助社"]),
    ("typo", "五包户住院了没人护理 有没有啥保险管这个",
     [D], ["特困人员住院护理保险制度"]),
    ("everyday", "村委会有没有专门管娃们的人 娃受了欺负找谁",
     [D], ["专人专岗负责未成年人保护工作"]),
    ("numwords", "敬老院改造搞了几百处 具体改了多少",
     [D], ["已建设改造敬老院339处"]),
    ("formal", "生活不能自理的特困人员集中供养率目前达到多少？",
     [D], ["集中供养率达59.4%"]),
    ("dialect", "五保老汉不想住敬老院 就住自己屋 有没有人上门照顾",
     [D], ["分散供养特困人员提供照料服务"]),
    ("fragment", "海螺姑娘 是啥",
     [D], ["荣成“海螺姑娘”"]),
    ("everyday", "俺家是低保边缘户 屋里有个不能自理的 平时有人照应不 病了有人管不",
     [D], ["平日有照应、生病有照护"]),
    ("story", "孙子他爸妈都不在身边，一个没了一个不管，娃跟着我过，眼看要上学了，这种没人抚养的娃上学有没有资助？",
     [D], ["事实无人抚养儿童助学工程"]),
    ("fragment", "情暖夕阳项目 管啥的",
     [D], ["“情暖夕阳”助老关爱项目", "低保家庭失能老年人"]),
    ("runon", "孤儿要是得了大病咋弄有没有给买保险的",
     [D], ["孤困儿童购买大病保险"]),
    ("everyday", "农村低保跟城里低保现在差得多不多",
     [D], ["缩小到目前的1.251", "城乡低保标准之比"]),
    ("dialect", "城里的五保和乡下的五保 护理的钱一样不",
     [D], ["照护费标准基本实现统一"]),
    ("story", "俺们村有户人家有小车还有城里的房子，照样领着低保，大家伙都不服气，你们到底咋查这些东西？",
     [D], ["车辆、公积金、企业登记、房产"]),
    ("everyday", "家里有人失业了又有病人看病花钱多 会不会被列进去重点盯着帮扶",
     [D], ["高费用支出患者", "失业人员等风险人群"]),
    ("formal", "省级社会救助核对数据源涵盖多少个部门的数据？",
     [D], ["16个部门58类数据"]),
    ("formal", "低收入人口动态监测信息平台汇集了多少名低收入人口的数据？",
     [D], ["300余万名低收入人口"]),

    # ---------------- 004 贵州 ----------------
    ("numwords", "贵州二〇一八年农村低保一年多少钱",
     [E], ["农村低保平均标准达3908元", "3908元/年"]),
    ("numwords", "一九年那会儿贵州农村低保平均标准是多少",
     [E], ["4220元/年"]),
    ("dialect", "二〇二〇年贵州农村低保是不是全省都一样了 多少钱",
     [E], ["实现全省统一并达4500元"]),
    ("typo", "贵州五包户的生活费跟城市底保比是个啥比例",
     [E], ["城市低保标准1.3倍以上"]),
    ("everyday", "算低保收入的时候 出去打工的车费饭钱 还有看大病花的钱 能不能扣掉",
     [E, A, B], ["增设就业成本、大病刚性支出", "就业产生的必要成本", "交通、就餐、通信等必要的成本"]),
    ("story", "俺家老的老病的病，男人腿还残了，好几样困难都压在一块，贵州这边对这种家有啥特别照顾不？",
     [E], ["双重或多重困难叠加", "低保分类施保必到位"]),
    ("formal", "贵州农村低保对象认定是否需要入户核查收入？",
     [E], ["以入户收入核查为核心"]),
    ("everyday", "遇上急事难事了 咋样才能快点得到救助 不要一拖好几个月",
     [E], ["主动发现、快速响应、个案会商"]),
    ("dialect", "贵州是不是用手机APP来采家里的信息 要得不",
     [E], ["手机APP采集对象家庭信息"]),
    ("everyday", "低保审批还要不要交一大摞纸质材料",
     [E], ["低保审核审批无纸化改革"]),
    ("dialect", "俺家都脱贫了 听说脱贫不脱政策 低保还给不给",
     [E, A], ["符合低保条件的已脱贫对象", "无法通过产业就业获得稳定收入"]),
    ("story", "前天晚上山洪把屋子冲了，一家人跑出来啥都没带，这种遭灾的多长时间能有人管吃住？",
     [E], ["灾害发生后12个小时内"]),
    ("dialect", "房子要是被水冲了 塌了 有没有啥保险能赔",
     [E], ["政策性农房灾害保险"]),
    ("everyday", "今年遭了灾庄稼都没了 冬天和开春这段日子有没有补助",
     [E], ["受灾人员冬春生活救助"]),
    ("fragment", "村里 救灾物资 放哪儿",
     [E], ["救灾物资储存室"]),
    ("runon", "发大水了村里人往哪躲有没有专门的避难地方学校敬老院能不能去",
     [E], ["提升成应急避难场所"]),
    ("dialect", "有人带着娃出去要饭 政府管不管",
     [E], ["杜绝携带未成年人外出流浪乞讨"]),
    ("everyday", "村里有没有专门管留守娃的人 叫个啥",
     [E], ["村(居)儿童主任全覆盖"]),
    ("fragment", "儿童之家 村里覆盖多少",
     [E], ["儿童之家功能覆盖60%"]),
    ("dialect", "俺娃是留守娃 他的信息多久更新一回",
     [E], ["按季度动态更新农村留守儿童信息"]),
    ("runon", "找政府求助老是被推来推去一个部门一个部门跑能不能一个地方就给办了",
     [E, A, B, C, D], ["一门受理"]),

    # ---------------- out of scope: other public services ----------------
    ("dialect", "俺的社保卡丢了 咋补办 要多少钱", [], []),
    ("child", "我妈今年六十了，她交的城乡居民养老保险每个月能领多少养老金？", [], []),
    ("everyday", "住房公积金能不能取出来交房租", [], []),
    ("typo", "身分证过期了在外地能不能补办", [], []),
    ("story", "俺们刚从乡下搬到县城，娃明年上一年级，没有城里户口能不能在县城小学报名？", [], []),
    ("formal", "城乡居民医保住院报销比例是多少？", [], []),
    ("everyday", "厂子倒闭了 失业金咋领 能领几个月", [], []),
    ("dialect", "俺想把户口从村里迁到城里 要办啥手续", [], []),
    ("runon", "俺家承包地被邻居占了一垄村里不管该找哪个部门", [], []),
    ("everyday", "残疾证在哪里办 要去哪个医院评残", [], []),

    # ---------------- out of scope: corpus words, absent facts ----------------
    ("dialect", "珙县现在低保一个月给多少钱", [], []),
    ("formal", "青海省城市低保标准每月多少元？", [], []),
    ("fragment", "刚察县民政局 电话", [], []),
    ("everyday", "残疾人那两项补贴每个月各发多少钱", [], []),
    ("typo", "青海临时救主一次最多能给多少钱", [], []),
    ("numwords", "孤儿基本生活补助一个月是几百块", [], []),
    ("dialect", "刚察那个幸福食堂在哪条街 一顿饭几块钱", [], []),
    ("story", "我在渐退期里头，低保金是照样全额发还是减半发？村里说法不一样。", [], []),
    ("everyday", "贵州2021年农村低保标准涨到多少了", [], []),
    ("everyday", "申请低保要带哪些材料 户口本身份证还要啥", [], []),
]

FIELDS = ["id", "question", "docs", "expect_any", "answerable"]


def norm(s):
    s = re.sub(r"\s+", "", s)
    return "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in s)


def load_corpus():
    texts = {}
    for fn in sorted(os.listdir(CORPUS)):
        with open(os.path.join(CORPUS, fn), encoding="utf-8") as f:
            texts[fn] = norm(f.read())
    return texts


def build():
    items = []
    for i, (kind, q, docs, spans) in enumerate(Q):
        items.append({"id": None, "question": q, "docs": list(docs),
                      "expect_any": list(spans), "answerable": bool(docs)})
    random.seed(20261202)
    random.shuffle(items)
    for n, it in enumerate(items, 1):
        it["id"] = "g%03d" % n
    return items


def check(items, texts):
    fails, warns = [], []
    ids = [it["id"] for it in items]
    if len(ids) != len(set(ids)):
        fails.append("duplicate ids")
    qs = [it["question"] for it in items]
    if len(qs) != len(set(qs)):
        fails.append("duplicate questions")
    for it in items:
        tag = "%s %s" % (it["id"], it["question"][:20])
        if list(it.keys()) != FIELDS:
            fails.append("%s: fields %s" % (tag, list(it.keys())))
        if it["answerable"]:
            if not it["docs"] or not it["expect_any"]:
                fails.append("%s: answerable without docs/spans" % tag)
            if len(it["expect_any"]) > 3:
                fails.append("%s: more than 3 spans" % tag)
            if len(set(it["docs"])) != len(it["docs"]):
                fails.append("%s: duplicate docs" % tag)
            for d in it["docs"]:
                if d not in texts:
                    fails.append("%s: unknown doc %s" % (tag, d))
            for sp in it["expect_any"]:
                ns = norm(sp)
                if not 4 <= len(ns) <= 15:
                    fails.append("%s: span length %d %r" % (tag, len(ns), sp))
                if not any(ns in texts.get(d, "") for d in it["docs"]):
                    fails.append("%s: span not in listed docs %r" % (tag, sp))
                others = [d for d in texts if d not in it["docs"] and ns in texts[d]]
                if others:
                    warns.append("%s: span %r also in unlisted %s" % (tag, sp, others))
            for d in it["docs"]:
                if d in texts and not any(norm(sp) in texts[d] for sp in it["expect_any"]):
                    fails.append("%s: doc %s contains none of the spans" % (tag, d))
        else:
            if it["docs"] or it["expect_any"]:
                fails.append("%s: out-of-scope with docs/spans" % tag)
    return fails, warns


def main():
    texts = load_corpus()
    if len(texts) != 5:
        print("WARNING: expected 5 corpus files, found %d" % len(texts))
    items = build()
    fails, warns = check(items, texts)
    for f in fails:
        print("FAIL", f)
    for w in warns:
        print("WARN", w)
    ans = [x for x in Q if x[2]]
    oos = [x for x in Q if not x[2]]
    print("total %d  answerable %d  out-of-scope %d" % (len(Q), len(ans), len(oos)))
    per_doc = Counter(d for x in ans for d in x[2])
    primary = Counter(x[2][0] for x in ans)
    print("questions listing each doc:", dict(sorted(per_doc.items())))
    print("primary doc (written against):", dict(sorted(primary.items())))
    print("multi-doc answerable:", sum(1 for x in ans if len(x[2]) > 1))
    print("phrasing kinds (all):", dict(Counter(x[0] for x in Q).most_common()))
    print("phrasing kinds (answerable):", dict(Counter(x[0] for x in ans).most_common()))
    print("OOS split: other services %d, corpus-words/absent facts %d" % (10, len(oos) - 10))
    print("failures %d  warnings %d" % (len(fails), len(warns)))
    if "--write" in sys.argv:
        if fails:
            print("not writing: failures present")
            sys.exit(1)
        with open(OUT, "w", encoding="utf-8") as f:
            for it in items:
                f.write(json.dumps(it, ensure_ascii=False) + "\n")
        print("wrote %d lines to %s" % (len(items), OUT))
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
