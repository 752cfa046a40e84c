"""Who raises needs in each domain (company-type words) and what kind of operation they run."""

from __future__ import annotations

from .model import Domain

# fmt: off
# domain key → words naming the enterprises that *use* the technology (need raisers)
USERS: dict[str, str] = {
    "med-sterile": "医疗消毒服务|医院后勤管理|口腔医疗", "med-bed": "康复医疗|养老护理服务|医疗器械经营",
    "med-infusion": "医疗器械经营|医疗设备服务", "med-dental": "义齿制作|口腔医疗|齿科技术",
    "med-catheter": "医用耗材|医用高分子制品", "med-imaging": "医学影像服务|健康体检|医疗设备",
    "cos-emulsion": "化妆品|日化用品|生物美妆", "cos-sunscreen": "化妆品|日化|美妆",
    "cos-hair": "洗护用品|日化|美发用品", "cos-aroma": "香料|芳香植物开发|精油",
    "sp-racket": "体育用品|羽毛制品|运动器材", "sp-turf": "体育设施工程|运动场地建设",
    "sp-fitness": "健身管理|体育器械|健身服务", "sp-ball": "球类制品|体育用品|橡塑制品",
    "tex-denim": "服装洗水|牛仔服饰|制衣", "tex-knit": "针织|针纺织品|内衣",
    "tex-dyeing": "印染|纺织印染|染整", "tex-garment": "服装|制衣|服饰",
    "tex-fiber": "化纤|纺织材料|纺纱", "fur-panel": "家具|定制家居|橱柜",
    "fur-sofa": "软体家具|家居|床垫", "fur-chair": "办公家具|座椅|家具",
    "fur-coating": "实木家具|木门|木业", "cer-table": "陶瓷|日用瓷|瓷业",
    "cer-sanitary": "卫浴|洁具|陶瓷", "cer-tile": "陶瓷|建陶|岩板",
    "cer-nixing": "坭兴陶|陶艺|工艺品", "print-offset": "印务|印刷|出版印刷",
    "print-flexo": "标签印刷|包装材料|彩印", "print-digital": "数码印刷|图文|印务",
    "print-box": "包装|纸品包装|彩印", "mine-crusher": "砂石|矿业|建材",
    "mine-mill": "矿业|选矿|有色金属矿业", "mine-screen": "砂石骨料|矿业|煤业",
    "mine-flotation": "矿业|选矿|萤石矿业", "mine-conveyor": "矿业|港务|水泥",
    "edu-vocational": "职业培训|技能培训|教育咨询", "edu-campus": "教育科技|教育服务",
    "edu-kit": "教育装备|教学仪器|科教", "edu-training": "人力资源服务|职业技能培训|培训",
    "fin-expense": "集团|企业管理|财务咨询", "fin-bankops": "金融押运|金融服务外包|金融安全服务",
    "fin-tax": "财税咨询|代理记账|进出口贸易", "fin-audit": "建设投资|城市投资|国有资产经营",
    "tour-homestay": "民宿|旅游开发|酒店管理", "tour-study": "研学旅行|文化旅游|旅行社",
    "tour-facility": "旅游开发|景区管理|文旅", "tour-agency": "旅行社|国际旅行社|会展服务",
    "log-tms": "物流|供应链管理|商贸", "log-express": "快递|速递|物流",
    "log-freight": "货运|运输|物流", "log-wms": "仓储|供应链|电子商务",
    "fs-kitchen": "餐饮管理|团餐服务|食品", "fs-fume": "餐饮管理|酒店|美食城管理",
    "fs-equipment": "餐饮|酒店管理|后勤服务", "fs-ops": "餐饮管理|餐饮|美食",
    "con-precast": "建筑构件|装配式建筑|建材", "con-waterproof": "建筑工程|防水工程|房地产开发",
    "con-insulation": "建筑节能|建筑工程|建筑装饰", "con-concrete": "混凝土|建材|商品混凝土",
    "con-site": "建设工程|建筑工程|劳务", "wt-secondary": "物业服务|供水|水务",
    "wt-rural": "水务|供水|水利工程", "wt-pool": "体育发展|酒店管理|水上乐园",
    "wt-sludge": "水务|污水处理|环境工程", "wt-leak": "自来水|水务|供水",
    "ah-pig": "生猪养殖|牧业|农牧", "ah-layer": "蛋鸡养殖|禽业|农牧",
    "ah-cattle": "牧业|奶业|肉牛养殖", "ah-waterfowl": "禽业|水禽养殖|农牧",
    "ah-manure": "生态农业|牧业|农业开发", "misc-toy": "玩具|礼品|早教用品",
    "misc-stationery": "文具|笔业|办公用品", "misc-bamboo": "竹业|竹木制品|林产品",
    "misc-property": "物业服务|物业管理|园区运营", "nm-ebike-charger": "电动车|车业|电动科技",
    "nm-toy-battery": "玩具|电子玩具|礼品", "nm-med-battery": "医疗器械|康复辅具|医疗电子",
    "nm-tool-battery": "电动工具|五金工具|园林机械", "nm-drone": "测绘|航空科技|地理信息",
    "nm-gadget": "电器|电子科技|智能家电", "nm-medlab": "医学检验|医疗|检验检测",
    "nm-engtest": "检测|工程检测|机动车检测", "nm-smarthome": "智能家居|电器|智能科技",
    "nm-heatsink": "照明|光电|灯饰", "nm-wood": "木业|地板|家具", "nm-stone": "石材|石业|园林工程",
    "nm-plastic": "塑业|塑料制品|包装", "nm-retail": "超市|商贸|便利店",
    "nm-pe-vision": "体育发展|教育科技|体育文化", "nm-brewery": "啤酒|酒业|精酿",
    "nm-liquor": "酒业|酒厂|酿酒", "nm-condiment": "酿造|调味品|食品", "nm-flower": "花卉|园艺|农业",
    "nm-cookware": "炊具|厨具|金属制品", "nm-aquarium": "水族|观赏鱼|渔业",
}

SERVICE: frozenset[str] = frozenset({
    "med-sterile", "med-imaging", "med-infusion", "edu-vocational", "edu-campus", "edu-training",
    "fin-expense", "fin-bankops", "fin-tax", "fin-audit", "tour-homestay", "tour-study",
    "tour-facility", "tour-agency", "log-tms", "log-express", "log-freight", "log-wms", "fs-fume",
    "fs-equipment", "fs-ops", "con-site", "con-waterproof", "con-insulation", "wt-secondary",
    "wt-rural", "wt-pool", "wt-sludge", "wt-leak", "misc-property", "nm-retail", "nm-pe-vision",
    "nm-medlab", "nm-engtest", "nm-drone", "sp-turf", "sp-fitness", "edu-kit",
})
FARM: frozenset[str] = frozenset({
    "ah-pig", "ah-layer", "ah-cattle", "ah-waterfowl", "ah-manure", "nm-flower", "nm-aquarium",
    "cos-aroma",
})

# fmt: on


def users(domain: Domain) -> tuple[str, ...]:
    """Company-type words for the enterprises that raise needs in a domain."""
    text = USERS.get(domain.key, "")
    return tuple(t for t in text.split("|") if t) or domain.owner_words


def sector(domain: Domain) -> str:
    """'service', 'farm' or 'production': decides which everyday phrases fit the domain's users."""
    if domain.key in SERVICE:
        return "service"
    if domain.key in FARM:
        return "farm"
    return "production"
