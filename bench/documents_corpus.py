"""Synthetic government documents (公文) for the search benchmark: titles and ~500-character bodies
built from a county office's vocabulary, deterministic for a given seed."""

from __future__ import annotations

import random

ISSUERS = [
    "甘州区人民政府",
    "甘州区人民政府办公室",
    "甘州区防汛抗旱指挥部",
    "甘州区安全生产委员会",
    "甘州区乡村振兴领导小组",
    "甘州区财政局",
    "甘州区应急管理局",
    "甘州区水务局",
]
AGENCIES = [
    "区应急管理局",
    "区水务局",
    "区财政局",
    "区自然资源局",
    "区农业农村局",
    "区住房和城乡建设局",
    "区生态环境分局",
    "区市场监督管理局",
    "区发展和改革局",
    "区教育局",
    "区卫生健康局",
    "区民政局",
    "区人力资源和社会保障局",
    "区交通运输局",
    "区文化和旅游局",
    "区退役军人事务局",
    "区信访局",
    "区林业和草原局",
    "区商务局",
    "区统计局",
    "各乡镇人民政府",
    "各街道办事处",
    "区公安分局",
    "区司法局",
    "区审计局",
    "区政务服务中心",
]
# (topic, weight): common topics appear in many documents, rare ones in few.
TOPICS = [
    ("防汛抗旱", 8),
    ("安全生产", 10),
    ("乡村振兴", 9),
    ("营商环境", 6),
    ("森林防火", 4),
    ("疫情防控", 3),
    ("人居环境整治", 5),
    ("高标准农田建设", 3),
    ("耕地保护", 4),
    ("河长制", 3),
    ("招商引资", 5),
    ("项目建设", 7),
    ("民生实事", 4),
    ("文明城市创建", 3),
    ("信访维稳", 4),
    ("扫黑除恶", 2),
    ("殡葬改革", 1),
    ("退役军人服务保障", 2),
    ("专项债券", 2),
    ("财政预算", 4),
    ("燃气安全", 2),
    ("校园安全", 2),
    ("食品安全", 3),
    ("消防安全", 3),
    ("道路交通安全", 3),
    ("防止返贫", 2),
    ("粮食安全", 2),
    ("污染防治", 3),
    ("生态环境保护", 3),
    ("老旧小区改造", 2),
    ("就业创业", 3),
    ("社会保障", 2),
    ("义务教育", 2),
    ("基层治理", 3),
    ("网格化管理", 2),
    ("矛盾纠纷排查化解", 2),
    ("政务公开", 2),
    ("一网通办", 1),
    ("12345热线", 1),
    ("冬春火灾防控", 1),
]
TYPES = ["通知", "意见", "报告", "请示", "批复", "函", "通报", "纪要", "决定", "公告"]
VERBS = ["做好", "加强", "开展", "推进", "落实", "进一步做好", "切实加强", "全面推进"]
PLANS = [
    "工作方案",
    "实施方案",
    "专项行动方案",
    "三年行动计划",
    "考核办法",
    "应急预案",
    "管理办法",
    "工作要点",
]
CHECKS = ["专项检查", "督查", "排查整治", "自查自纠", "考核", "调研"]
MEETINGS = ["推进会", "调度会", "动员部署会", "联席会议", "专题会议"]
FILLERS = [
    "坚持以人民为中心的发展思想",
    "压实属地管理责任和部门监管责任",
    "强化部门协同联动",
    "建立健全长效工作机制",
    "确保各项工作落到实处",
    "切实增强责任感和紧迫感",
    "加强组织领导",
    "严格督查考核问效",
    "按照“谁主管、谁负责”的原则",
    "及时报送工作进展情况",
    "对工作推进不力的单位予以通报批评",
    "广泛开展宣传引导",
    "营造良好社会氛围",
    "统筹发展和安全",
    "守牢安全底线",
    "聚焦群众急难愁盼问题",
    "加大资金投入和政策支持力度",
    "完善工作台账",
    "实行清单化管理和销号制度",
    "主要负责同志要亲自部署、亲自过问",
]


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        names = [t for t, _ in TOPICS]
        weights = [w for _, w in TOPICS]
        self.topic = lambda: rng.choices(names, weights)[0]

    def title(self, topic: str, year: int) -> str:
        r = self.rng
        kind = r.choice(TYPES)
        return r.choice(
            [
                f"关于{r.choice(VERBS)}{year}年{topic}工作的{kind}",
                f"{r.choice(ISSUERS)}关于印发《甘州区{topic}{r.choice(PLANS)}》的{kind}",
                f"关于{year}年{topic}{r.choice(CHECKS)}情况的{kind}",
                f"关于召开全区{topic}工作{r.choice(MEETINGS)}的{kind}",
                f"{r.choice(AGENCIES)}关于{topic}有关事项的{kind}",
            ]
        )

    def sentence(self, topic: str, year: int) -> str:
        r = self.rng
        a, b = r.sample(AGENCIES, 2)
        f1, f2 = r.sample(FILLERS, 2)
        other = self.topic()
        month, day = r.randint(1, 12), r.randint(1, 28)
        return r.choice(
            [
                f"为深入贯彻落实上级关于{topic}工作的决策部署，{f1}，{f2}。",
                f"{a}要会同{b}，围绕{topic}重点任务，{f1}，{f2}。",
                f"截至{year}年{month}月底，全区累计完成{topic}相关投资{r.randint(2, 900)}万元，"
                f"惠及群众{r.randint(100, 90000)}人。",
                f"各乡镇、各部门要把{topic}工作摆上重要议事日程，统筹谋划、一体推进，{f1}。",
                f"请{a}于{month}月{day}日前将{topic}工作开展情况书面报送区政府办公室，{f2}。",
                f"对{topic}工作中发现的问题隐患，要建立问题清单、责任清单和整改清单，{f1}。",
                f"{year}年以来，{b}共开展{topic}{r.choice(CHECKS)}{r.randint(2, 60)}次，"
                f"发现并整改问题{r.randint(3, 400)}个。",
                f"{f1}，{f2}，推动{other}和{topic}各项任务取得实效。",
                f"区政府将把{topic}纳入年度目标责任考核，{f2}。",
            ]
        )

    def document(self, length: int) -> tuple[str, str]:
        topic = self.topic()
        year = self.rng.choice([2024, 2025, 2026])
        body: list[str] = []
        while sum(map(len, body)) < length:
            body.append(self.sentence(topic if self.rng.random() < 0.9 else self.topic(), year))
        return self.title(topic, year), "".join(body)


def generate(n: int, seed: int = 9704, length: int = 480) -> list[tuple[int, str, str]]:
    """``n`` documents as (id, title, body); bodies run to at least ``length`` characters."""
    writer = _Writer(random.Random(seed))
    return [(i, *writer.document(length)) for i in range(1, n + 1)]


# Typical staff queries: one word, a phrase, two words, an agency, a number, a document type.
QUERIES = [
    "防汛",
    "安全生产",
    "乡村振兴 工作方案",
    "营商环境",
    "森林防火",
    "河长制",
    "疫情防控",
    "高标准农田",
    "人居环境整治",
    "招商引资 项目建设",
    "信访",
    "专项债券",
    "财政预算 报告",
    "退役军人",
    "殡葬改革",
    "文明城市 创建",
    "耕地保护 督查",
    "防汛 应急预案",
    "应急管理局",
    "12345热线",
    "校园安全 自查自纠",
    "请示",
    "政府办公室",
    "排查整治",
]
# Partial words as people also type them: where word segmentation loses recall.
PARTIAL_QUERIES = ["区应急", "汛抗旱"]
