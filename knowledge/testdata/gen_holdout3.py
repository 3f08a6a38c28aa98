#!/usr/bin/env python3
"""Holdout set 3: resident questions for a social-assistance Q&A bot.

Run `python3 gen_holdout3.py` to check, `python3 gen_holdout3.py --write`
to also write resident_holdout3.jsonl next to this script.
"""
import collections
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.environ.get("CORPUS", os.path.join(HERE, "..", "..", "..", "shared", "corpus"))
OUT = os.path.join(HERE, "resident_holdout3.jsonl")

D0 = "000_af371565f628b411.txt"  # 青海民政十二项措施
D1 = "001_5a044e6a7ae10426.txt"  # 珙县后扶贫时代兜底保障试点方案
D2 = "002_7906d49b427e11db.txt"  # 刚察县民政"十四五"思路
D3 = "003_fbe516fa33e86af9.txt"  # 2022年民政系统推进会发言合集
D4 = "004_f3d72d4f8696011b.txt"  # 贵州民政兜底脱贫三年行动计划
ALL = [D0, D1, D2, D3, D4]

# (written against, phrasing style, question, docs, expect_any)
# styles: formal, dialect, story, child, fragment, runon, numwords, typo, everyday
ANSWERABLE = [
    # ---------------- 000 青海十二项措施 ----------------
    (D0, "dialect", "俺家娃是重残,家里穷得叮当响可一直没吃上低保,能不能光给娃一个人单独办个低保嘞?",
     [D0, D1, D2], ["参照“单人户”纳入低保", "按单人户依程序纳入低保", "不符合低保条件的低收入家庭"]),
    (D0, "story", "我男人在县城工地上干活,一个月挣个两千来块,可每天坐车、在外头吃饭都得花钱。村里算俺家收入的时候,这些路费饭钱能不能先扣掉再算?",
     [D0, D1, D4], ["就业产生的必要成本", "交通、就餐、通信", "增设就业成本"]),
    (D0, "everyday", "我们牧区这边,家里一个人一年挣多少以下才算收入低的困难户?有个啥算法没有",
     [D0], ["农村低保标准的2倍"]),
    (D0, "dialect", "屋里人出车祸住院了,手头一分钱都没有,政府能不能先把救急的钱给垫上嘞?",
     [D0], ["先期垫付临时救助金"]),
    (D0, "fragment", "自己先垫上了看病钱的 过后还给救助不",
     [D0], ["事后进行干预和救助"]),
    (D0, "child", "我在外地上班,我爸一个人在老家吃着低保,腿脚不利索,去医院看病没人陪着,政府那边有没有人能帮忙陪他去?",
     [D0], ["送医陪护服务"]),
    (D0, "typo", "申请救助能不能在手机上弄,不想老往乡里跑了,听说有个掌上半",
     [D0, D1, D2], ["“一网办”、“掌上办”", "一网通办"]),
    (D0, "everyday", "俺们村那个老人们互相照应、凑一块儿待的点年久失修了,上面有没有说要给修修?",
     [D0], ["村级互助养老服务设施"]),
    (D0, "child", "孙子的爹妈都没了,现在每个月领着孤儿那份钱,这个钱以后会不会往上涨啊?",
     [D0, D2], ["保障标准自然增长机制", "补助标准动态增长机制"]),
    (D0, "story", "男人常年在外头打工,家里就剩我一个婆娘带着俩娃还有公婆,地里的活家里的活全是我,有时候真扛不住。像我们这种留在村里的女的,民政上有没有啥关照?",
     [D0], ["农村留守妇女关爱服务制度"]),
    (D0, "fragment", "村里办事不透明 村上的事能不能公开出来让大家看",
     [D0], ["推进村务公开建设"]),
    (D0, "dialect", "俺儿子说媳妇,女方张口就要二十万,彩礼要得忒高了,这还让不让人活了,政府管不管?",
     [D0], ["杜绝天价彩礼"]),
    (D0, "child", "我爹过世了,我哥非要在山上给修个大水泥石头坟,还不想火化,这样弄现在允许吗?",
     [D0], ["墓地石化硬化", "违规土葬"]),
    (D0, "story", "我们村口来了个流浪的老汉,话也说不清楚,都好几个月了也问不出是哪里人。这种一直弄不清身份的,最后咋安置?能给他上个户口不?",
     [D0], ["滞留三个月仍无法查明身份", "协调公安机关登记户口"]),
    (D0, "formal", "冬季针对街头流浪乞讨人员有没有专门的救助行动?",
     [D0], ["“寒冬送温暖”专项救助行动"]),
    (D0, "typo", "共和县是不是要改成是了 批下来没有",
     [D0], ["共和撤县设市"]),
    (D0, "child", "我爸老年痴呆老往外跑,走丢过两回了,好不容易才找回来,民政上对这种容易走丢的人有没有个登记啥的?",
     [D0], ["易流浪走失人员信息库"]),
    (D0, "story", "我们村跟隔壁县的村为了草场地界吵了好多年了,前年还动了手,到现在也没个说法。这种两个县交界地方的纠纷,民政上管不管?",
     [D0, D2], ["边界地区矛盾纠纷", "行政区域界线联检", "平安边界创建活动"]),
    (D0, "runon", "村里谁家办事都大吃大喝随份子一家比一家多俺们都随不起了有没有人管管这风气嘞",
     [D0], ["红白理事会", "随礼攀比"]),
    (D0, "dialect", "申请个救助是不是得挨个部门跑,这个局那个局的盖章,俺腿脚不好跑不动咋整",
     [D0, D1, D2, D3, D4], ["一门受理"]),

    # ---------------- 001 珙县试点方案 ----------------
    (D1, "runon", "俺在外头打工挣着钱了家里收入超过低保线了低保是不是立马就给停了还能缓一缓不",
     [D0, D1], ["不少于1年的渐退期", "渐退救助期"]),
    (D1, "child", "我自己家也是低收入户,日子紧巴巴的,实在没能力再养我妈,我妈能不能单独一个人吃个低保?",
     [D1], ["按单人户依程序纳入低保", "义务人本身为低收入家庭"]),
    (D1, "story", "我们家两口子都打工,算下来人均收入比低保线高那么一点,可闺女得了白血病,一年光药钱就好几万,儿子还在上大学,家里早就掏空了。像这种收入不算低但花销大得扛不住的,能吃低保不?",
     [D1], ["刚性支出超出承受能力", "支出型贫困家庭低保"]),
    (D1, "fragment", "在家伺候瘫痪老人没法出去打工 收入还按最低工资给我算吗",
     [D1], ["不再按当地最低工资标准"]),
    (D1, "dialect", "俺婆娘常年看病吃药花钱海了,算家里收入那会儿,这看病的钱能给减掉不?",
     [D1, D4], ["因残疾、患重病或完成学业", "大病刚性支出等抵扣项目"]),
    (D1, "numwords", "我侄子是孤儿,吃着特困供养,今年满十六了,是不是到了十六岁就不管了?",
     [D1, D2], ["未成年人年龄从16周岁"]),
    (D1, "story", "我们老两口就一个闺女,前些年出车祸没了,现在老伴脑子糊涂了,我自己也快照顾不动了。像我们这样没了独生子女的人家,有没有不要钱或者收钱很少的地方能托养老人?",
     [D1], ["计生特殊家庭老年人", "无偿或低收费托养服务"]),
    (D1, "numwords", "临时救助要是申请个两千块钱,乡镇自己就能定了吧,还用报到县里去不?",
     [D1, D3], ["3000元以下临时救助", "审核确认权限委托下放"]),
    (D1, "dialect", "俺们这些困难户平时有人上门来瞅瞅不?多长时间来一趟?",
     [D1, D0, D3], ["每季度至少", "入户走访频度", "探视走访"]),
    (D1, "everyday", "巡场镇这边说要花钱请社工来帮困难户,是真的不?",
     [D1], ["在巡场镇开展购买服务试点"]),
    (D1, "everyday", "他们评我家够不够困难,光看收入吗?身体有没有病、娃上学、住的房子这些算不算?",
     [D1], ["家庭收入测算指标体系", "健康状况、教育状况"]),
    (D1, "dialect", "俺们那片的网格员管不管挨家挨户跑着看谁家过不下去了?",
     [D1], ["定期走访辖区内住户"]),
    (D1, "story", "我吃着低保,身子骨还行,想养几头牛翻个身,就是没本钱。听说有那种扶贫的小额贷款,像我这样吃低保的能贷不?",
     [D1], ["扶贫小额信贷"]),
    (D1, "everyday", "邻居家有车有门面还在吃低保,要是查出来是故意瞒着报的,会咋处理?",
     [D1], ["记入其信用档案", "责令退回非法所得"]),
    (D1, "formal", "村里有没有专门负责社会救助工作的人员?",
     [D1, D3], ["兼任社会救助工作协理员", "社会救助协理员"]),
    (D1, "formal", "珙县后扶贫时代兜底保障试点方案是从哪天开始执行的?",
     [D1], ["自2020年5月1日起执行"]),
    (D1, "typo", "五保老人住不住敬老院 会不会征求他本人的意件 他不想去中不中",
     [D1, D3], ["供养意愿征询", "愿进全进"]),
    (D1, "runon", "五保户自己一个人在家住没人照顾生活咋办政府管不管给找人照料",
     [D1, D3, D0], ["分散供养照料服务", "分散供养特困人员提供照料服务", "生活照料、心理疏导"]),
    (D1, "everyday", "家里吃低保,老娘瘫了好几年了,我们白天都得干活顾不上,有没有地方能把她接去集中照顾?",
     [D1, D3], ["困难家庭失能失智老年人", "失能半失能人员集中供养"]),
    (D1, "dialect", "俺有力气也想干活,吃着低保的,政府给不给介绍个活路?",
     [D1, D4], ["就业意愿的救助对象提供就业帮扶", "教育帮扶和就业帮扶"]),

    # ---------------- 002 刚察县十四五 ----------------
    (D2, "story", "我户口在乡下,这几年一直在县城租房子住,也办了居住证,现在日子过不下去了,能在县城这边申请救助吗,还是得回老家去办?",
     [D2, D3], ["持有居住证人员在居住地申办", "放宽居住地申办低保条件"]),
    (D2, "numwords", "俺是放牧的,在城里住了七八年了,要是申请救助,是按城里人算还是按牧区算嘞?",
     [D2], ["按城镇居民予以救助"]),
    (D2, "runon", "现在啥都涨价菜也贵肉也贵低保那点钱会不会跟着往上调",
     [D2, D4], ["低保标准与物价上涨挂钩", "持续稳步提高农村低保标准"]),
    (D2, "child", "我舅舅住在敬老院里,吃住都有人管,就是天天闲得发慌,说没啥玩的,敬老院有没有说给老人弄点娱乐的东西?",
     [D2], ["提供必要的娱乐设施"]),
    (D2, "child", "我妈八十五了要领高龄补贴,村里说得先给她做个啥能力评估,这评估是干啥用的?",
     [D2], ["老年人能力综合评估", "评估结果作为领取老年人补贴"]),
    (D2, "fragment", "不想去养老院 家里的床能不能也算养老院的床位 有人上门管",
     [D2], ["家庭养老床位"]),
    (D2, "story", "我爸中风瘫了,我辞了工作在家伺候他,可啥也不会,翻身、喂饭都怕弄伤他。政府有没有教家里人怎么照顾这种不能动的老人的培训?",
     [D2], ["家庭成员照护培训"]),
    (D2, "child", "我奶奶八十多了一个人住,家里厕所没扶手,门槛也高,老摔跤。政府能不能帮忙把屋里改改,让老人住着方便点?",
     [D2, D3], ["适老化改造"]),
    (D2, "typo", "村里有没有给老人吃饭的食堂,我妈一个人做饭不方便,听说叫幸福食汤啥的",
     [D2], ["“幸福食堂”建设", "就近便利的助餐服务"]),
    (D2, "dialect", "俺四十多了想去养老院干护工,啥也不懂,有没有地方教教俺?",
     [D0, D2], ["养老护理员职业技能培训"]),
    (D2, "story", "俺爹走了,俺家是低保户,拉人、火化这些钱都拿不出来,亲戚也借遍了。这丧事最基本的那些费用政府能给减点不?",
     [D2], ["以减免或补贴方式", "遗体接运、暂存、火化"]),
    (D2, "runon", "人没了以后要去派出所销户口还要停养老金还有社保啥的一样一样跑太麻烦了能不能一起办了",
     [D2], ["实现身后事联办", "公安销户、抚恤金领取"]),
    (D2, "formal", "现在在乡镇还能办理结婚登记吗?",
     [D2], ["取消乡镇婚姻登记管理职能"]),
    (D2, "fragment", "领结婚证 能不能先在网上或者打个电话约好时间",
     [D2], ["网上预约、电话预约"]),
    (D2, "child", "我外甥女在家老挨她后爸打,我们当亲戚的想管又不知道找谁,民政管不管这种欺负娃的事?",
     [D2], ["侵害未成年人合法权益事件"]),
    (D2, "everyday", "路边捡到个被人扔了的娃娃,想自己养着,有没有收养这方面的说法?",
     [D2], ["孤弃儿童收养政策"]),
    (D2, "dialect", "俺们村几个老汉想弄个老年人的协会,平时一块儿耍耍,民政上支持不?",
     [D2], ["城乡老年协会建设"]),
    (D2, "everyday", "低保的政策俺看不懂,有没有那种印好的小本本发到村里给大伙看看?",
     [D2, D1], ["城乡低保宣传手册", "宣传册、明白卡"]),
    (D2, "formal", "小区、楼盘起的名字由哪个部门监督管理?",
     [D2], ["住宅小区等地名使用"]),
    (D2, "formal", "残疾人生活补贴和护理补贴的标准会不会随情况调整?",
     [D0, D2, D3], ["护理补贴动态调整机制", "动态调标机制"]),

    # ---------------- 003 推进会发言合集 ----------------
    (D3, "child", "我大伯是五保户,无儿无女,现在瘫在床上动不了了,县里乡里的养老院会不会把他接过去照顾?",
     [D0, D3], ["县乡两级养老机构", "失能特困人员专业照护"]),
    (D3, "dialect", "俺娃是残疾,领着残疾人的补贴,俺们一家搬到外省打工去了,到那边能接着办不?",
     [D0, D3], ["实现跨省通办"]),
    (D3, "everyday", "家里老人要用轮椅、助行器这些,买又买不起,能不能在社区租着用?",
     [D0, D3], ["康复辅具社区租赁"]),
    (D3, "dialect", "村里有没有那种大伙凑钱、谁家遭了大难就帮一把的互助组织嘞?",
     [D3], ["“救急难”互助社"]),
    (D3, "child", "我叔是特困供养的,住院了没人陪护,请护工又贵,有没有啥保险能管住院护理这块?",
     [D3], ["特困人员住院护理保险"]),
    (D3, "formal", "村委会有没有专门负责未成年人保护的人?",
     [D3, D4], ["专人专岗负责未成年人保护", "儿童主任全覆盖"]),
    (D3, "story", "我孙子他爸在坐牢,他妈跑了好几年没音信,娃跟着我过,眼看要上初中了,学费生活费都发愁。像这种爹妈都管不了的娃,上学有没有专门的帮助?",
     [D3, D0], ["事实无人抚养儿童助学工程", "监护、医疗、教育等保障"]),
    (D3, "fragment", "孤儿得了大病 有没有人给买保险",
     [D3], ["孤困儿童购买大病保险"]),
    (D3, "numwords", "乡下的低保是不是只有城里的七八成?差得老远不?",
     [D3], ["城乡低保标准之比"]),
    (D3, "typo", "五保户住在农村跟住在城里,伺候人的那个照户费是不是一个标准",
     [D3], ["照护费标准基本实现统一"]),
    (D3, "story", "我表哥买了辆二手车,挂在他老丈人名下,他说这样吃低保就查不出来。现在查低保会不会连车、房子、公积金这些都对一遍?",
     [D3], ["车辆、公积金、企业登记"]),
    (D3, "runon", "我刚失业了家里还有个长期住院花大钱的病人收入一下子断了像我们这种算不算上面重点盯着的那种有风险的人家",
     [D3, D0], ["高费用支出患者", "收入大幅缩减"]),
    (D3, "runon", "除了政府给的慈善那边有没有专门救济困难户的钱",
     [D3], ["社会救助专项基金"]),
    (D3, "formal", "“海螺姑娘”是一种什么样的服务?",
     [D3], ["“海螺姑娘”"]),
    (D3, "dialect", "俺哥重度残疾,家里又困难,俺们都得出去挣钱,有没有人能照护他嘞?",
     [D3, D0, D2, D1], ["困难重度残疾人照护服务", "残疾人等提供必要的", "集中照护服务能力"]),
    (D3, "dialect", "俺弟脑子有毛病,是精神上的病,老在家闹,社区有没有给这种病人做康复的?",
     [D3], ["精神障碍社区康复服务"]),
    (D3, "formal", "不是低保户的低收入家庭,能否享受医疗、住房、教育等方面的救助?",
     [D3, D2], ["延伸至符合条件的低收入人口", "推动社会救助政策向低收入群体"]),
    (D3, "fragment", "收入就比低保线高一丁点 够不上低保 这种卡在边上的人家咋办",
     [D3, D2, D1, D0], ["低保边缘", "特困户、边缘户"]),
    (D3, "everyday", "听人说有个叫情暖夕阳的项目,那是帮哪些老人的?",
     [D3], ["“情暖夕阳”助老关爱项目"]),

    # ---------------- 004 贵州三年行动计划 ----------------
    (D4, "numwords", "贵州农村低保2018年一年平均能到多少钱?是三千九吗",
     [D4], ["3908元"]),
    (D4, "dialect", "俺听说到二零二零年贵州全省农村低保都是一个标准了,是多少钱嘞?",
     [D4], ["全省统一并达4500元/年"]),
    (D4, "formal", "特困人员的基本生活标准是怎么确定的?",
     [D4], ["城市低保标准1.3倍以上"]),
    (D4, "story", "前几天发大水,俺们村好几户房子进了水,锅碗瓢盆全冲走了,乡里说会救助。一般遭了灾以后多长时间能把吃的住的安排上?",
     [D4], ["12个小时内受灾人员生活"]),
    (D4, "dialect", "农村的房子能不能上那种遭了灾就赔钱的保险,保费谁掏?",
     [D4], ["政策性农房灾害保险", "保费合理分担机制"]),
    (D4, "fragment", "遭灾了往哪躲 村里有没有躲灾的地方",
     [D4], ["应急避难场所"]),
    (D4, "child", "我爸妈的房子让山上下来的泥石流冲塌了,政府管不管帮着重新盖房?",
     [D4], ["灾后民房恢复重建"]),
    (D4, "runon", "秋天遭了冰雹庄稼全毁了今年冬天到明年开春家里吃啥政府有救助没",
     [D4], ["冬春生活救助"]),
    (D4, "dialect", "俺们村就几户遭了点灾,不算大,上面是不是就不管了?",
     [D4], ["小灾小救或不救"]),
    (D4, "story", "家里老汉七十多了常年有病,儿子是残疾,媳妇又跑了,剩个孙子在上学,一家子病的病残的残。这种几样难处凑一块的,有没有特别照顾?",
     [D4, D1], ["多重困难叠加", "“病老残弱”", "特殊对象实施重点保障"]),
    (D4, "everyday", "村干部来家里拿手机拍照片、填东西,说是低保要用,这是干啥的?",
     [D4], ["手机APP采集对象家庭信息"]),
    (D4, "numwords", "我们家前年就脱了贫摘了帽,低保这些还给不给?会不会一下子全停了?",
     [D0, D2, D4, D3], ["四个不摘", "脱贫不脱政策", "过渡期兜底保障政策总体稳定"]),
    (D4, "typo", "农村低保标准是不是比扶频标准还高 高多少",
     [D4], ["较大幅度高于扶贫标准"]),
    (D4, "fragment", "街上大人带着小娃要饭 没人管吗",
     [D4], ["杜绝携带未成年人外出流浪乞讨"]),
    (D4, "everyday", "村里能不能有个地方让娃们放了学去玩、有人看着?",
     [D4], ["村级儿童之家"]),
    (D4, "formal", "农村留守儿童的信息多长时间更新一次?",
     [D4], ["按季度动态更新农村留守儿童信息"]),
    (D4, "dialect", "村里有没有组织大伙练练,万一地震了咋跑的那种?",
     [D4], ["灾害应急演练"]),
    (D4, "formal", "农村遭灾以后,灾情由谁负责往上报?",
     [D4], ["基层灾害信息员队伍", "落实乡镇网络报灾"]),
    (D4, "numwords", "听说贵州那个民政兜底的三年计划有个六加一行动,六加一指的是啥?",
     [D4], ["简称“6+1”行动"]),
    (D4, "story", "爹妈都出去打工了,娃在家跟着爷爷奶奶,一年到头见不着爹妈几回,学习也没人管。村里有人关心这些娃吗?",
     [D4, D3, D2], ["精准关爱服务留守儿童困境儿童", "留守儿童和困境儿童关爱服务体系", "留守儿童和各类困境儿童救助保护"]),
    (D4, "typo", "村里有没有放就灾东西的库房",
     [D4], ["救灾物资储存室"]),
]

# (kind, phrasing style, question, topic) -- topic is for the report only
OUT_OF_SCOPE = [
    # other public services
    ("service", "dialect", "俺的医保卡弄丢了,上哪补办去?", "医保卡补办"),
    ("service", "child", "我妈今年六十了,以前没交过城乡居民养老保险,现在还能补交吗,补了以后一个月能领多少?", "居民养老保险补缴与领取"),
    ("service", "runon", "在城里打工单位给交了公积金现在回老家盖房子能不能把公积金取出来", "住房公积金提取"),
    ("service", "fragment", "身份证到期了 在哪换 要等几天", "身份证到期换领"),
    ("service", "story", "娃今年七岁了,跟着我们在县城租房子住,户口还在村里,想在县城上小学,报名要准备些啥?", "小学入学报名"),
    ("service", "everyday", "孩子耳朵听不见,想办个残疾证,得去哪家医院做鉴定?", "残疾证办理与评残鉴定"),
    ("service", "typo", "闺女嫁到外县去了,户口咋迁过去,要开啥证名", "户口迁移"),
    ("service", "dialect", "俺在厂里干了五年被辞退了,失业金咋领,能领几个月?", "失业保险金申领"),
    ("service", "numwords", "想在自家宅基地上翻盖个两层楼,一百二十平,要去哪审批?", "宅基地建房审批"),
    ("service", "formal", "电动车闯红灯被罚款,罚款在哪里缴纳?", "交通违章罚款缴纳"),
    # documents' own words, but not stated in any document
    ("unstated", "dialect", "刚察县这边城里的低保一个月给多少钱嘞?", "刚察县低保具体金额"),
    ("unstated", "formal", "在珙县申请低保需要提交哪些材料?", "珙县低保申请材料清单"),
    ("unstated", "numwords", "重残的那个护理补贴一个月是一百还是两百?到底给多少?", "残疾人护理补贴金额"),
    ("unstated", "fragment", "老人食堂吃一顿饭 多少钱", "老年助餐食堂饭价"),
    ("unstated", "formal", "刚察县民政局的咨询电话是多少?", "刚察县民政局电话"),
    ("unstated", "runon", "渐退期那几个月低保钱是照发全额还是减半发", "渐退期内低保发放比例"),
    ("unstated", "child", "我外孙属于爹妈都管不了没人抚养的那种娃,每个月能领多少生活费?", "事实无人抚养儿童补贴金额"),
    ("unstated", "story", "我家老人八十多了,想在厕所装个扶手、换个坐便器,听说政府有改造补贴,每户最多能补多少钱?", "适老化改造每户补助金额"),
    ("unstated", "everyday", "县里婚姻登记处礼拜六上不上班,周末能去领证不?", "婚姻登记处周末办公时间"),
    ("unstated", "everyday", "在社区租个轮椅一个月租金要多少钱?", "康复辅具租赁费用"),
]

FIELDS = ["id", "question", "docs", "expect_any", "answerable"]


def norm(s):
    return re.sub(r"\s+", "", s)


def load_corpus():
    texts = {}
    for name in sorted(os.listdir(CORPUS)):
        if name.endswith(".txt"):
            with open(os.path.join(CORPUS, name), encoding="utf-8") as f:
                texts[name] = norm(f.read())
    return texts


def build():
    recs, meta = [], []
    for src, style, q, docs, spans in ANSWERABLE:
        recs.append({"id": None, "question": q, "docs": list(docs),
                     "expect_any": list(spans), "answerable": True})
        meta.append({"src": src, "style": style, "kind": "answerable", "topic": None})
    for kind, style, q, topic in OUT_OF_SCOPE:
        recs.append({"id": None, "question": q, "docs": [], "expect_any": [],
                     "answerable": False})
        meta.append({"src": None, "style": style, "kind": kind, "topic": topic})
    order = list(range(len(recs)))
    random.seed(20261202)
    random.shuffle(order)
    recs = [recs[i] for i in order]
    meta = [meta[i] for i in order]
    for i, r in enumerate(recs, 1):
        r["id"] = "k%03d" % i
    return recs, meta


def longest_common(a, b):
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def check(recs, meta, texts):
    fails, warns = [], []
    ids = [r.get("id") for r in recs]
    if len(set(ids)) != len(ids):
        fails.append("duplicate ids")
    if sorted(ids) != ["k%03d" % i for i in range(1, 121)]:
        fails.append("ids are not exactly k001..k120")
    n_ans = sum(1 for r in recs if r.get("answerable") is True)
    n_not = sum(1 for r in recs if r.get("answerable") is False)
    if (n_ans, n_not) != (100, 20):
        fails.append("counts answerable/not = %d/%d, want 100/20" % (n_ans, n_not))
    qs = collections.Counter(norm(r["question"]) for r in recs)
    for q, c in qs.items():
        if c > 1:
            fails.append("duplicate question: %s" % q)
    for r, m in zip(recs, meta):
        rid = r.get("id")
        if list(r.keys()) != FIELDS:
            fails.append("%s: fields %s" % (rid, list(r.keys())))
            continue
        if not isinstance(r["question"], str) or not r["question"].strip():
            fails.append("%s: empty question" % rid)
        if r["answerable"] is False:
            if r["docs"] or r["expect_any"]:
                fails.append("%s: out-of-scope item with docs/spans" % rid)
            continue
        if r["answerable"] is not True:
            fails.append("%s: answerable not bool" % rid)
            continue
        docs, spans = r["docs"], r["expect_any"]
        if not docs:
            fails.append("%s: no docs" % rid)
        if len(set(docs)) != len(docs):
            fails.append("%s: duplicate docs" % rid)
        for d in docs:
            if d not in texts:
                fails.append("%s: unknown doc %s" % (rid, d))
        if m["src"] not in docs:
            fails.append("%s: written-against doc not listed" % rid)
        if not 1 <= len(spans) <= 3:
            fails.append("%s: %d spans" % (rid, len(spans)))
        for s in spans:
            ns = norm(s)
            if not 4 <= len(ns) <= 15:
                fails.append("%s: span length %d: %s" % (rid, len(ns), s))
            if not any(ns in texts.get(d, "") for d in docs):
                fails.append("%s: span not in listed docs: %s" % (rid, s))
            for d, t in texts.items():
                if d not in docs and ns in t:
                    warns.append("%s: span %s also in unlisted %s" % (rid, s, d))
        for d in docs:
            if not any(norm(s) in texts.get(d, "") for s in spans):
                fails.append("%s: listed doc %s holds none of the spans" % (rid, d))
    return fails, warns


def report(recs, meta, texts):
    print("written against:", dict(sorted(collections.Counter(
        m["src"][:3] for m in meta if m["src"]).items())))
    print("listed in docs:", dict(sorted(collections.Counter(
        d[:3] for r in recs for d in r["docs"]).items())))
    print("multi-doc questions:", sum(1 for r in recs if len(r["docs"]) > 1))
    print("styles:", dict(collections.Counter(m["style"] for m in meta).most_common()))
    print("out-of-scope kinds:", dict(collections.Counter(
        m["kind"] for m in meta if m["kind"] != "answerable")))
    # copying check: longest run shared between a question and any document
    allt = "".join(texts.values())
    long_copies = []
    for r in recs:
        lc = longest_common(norm(r["question"]), allt)
        if lc >= 9:
            long_copies.append((r["id"], lc))
    print("questions sharing >=9 chars with a document:", long_copies)


def main():
    texts = load_corpus()
    if sorted(texts) != sorted(ALL):
        print("FAIL: corpus files differ from expected", sorted(texts))
        sys.exit(1)
    recs, meta = build()
    fails, warns = check(recs, meta, texts)
    report(recs, meta, texts)
    for w in warns:
        print("WARN", w)
    for f in fails:
        print("FAIL", f)
    print("%d failures, %d warnings" % (len(fails), len(warns)))
    if fails:
        sys.exit(1)
    if "--write" in sys.argv[1:]:
        with open(OUT, "w", encoding="utf-8") as f:
            for r in recs:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print("wrote %d lines to %s" % (len(recs), OUT))


if __name__ == "__main__":
    main()
