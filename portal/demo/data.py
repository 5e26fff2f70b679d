"""Realistic bilingual demo data, made only through the app's own rules.

load_demo() creates one user per role plus a new hire, and a book of customers from Taiwan,
the mainland, Hong Kong and abroad, with contacts, grade reviews, reassignments and credit
terms, then a week of shift handovers among the agents up to now (portal/demo/handover.py),
ninety days of quotes with their approvals, follow-ups and outcomes (portal/demo/quotes.py), and
fourteen weeks of sailings with about four hundred shipments (portal/demo/shipments.py).
Everything is drawn from random.Random(seed), so the data is the same on every run; only the
passwords are random (and the handover and quote histories are placed in time before the present moment).
The caller commits.

Company, person and street names are made up. E-mail addresses use the reserved `.example`
top-level domain (RFC 2606), so nothing can ever be sent to a real mailbox.
"""
import random
import re
import secrets
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, has_request_context

from portal.auth.models import Team, User
from portal.auth.rules import create_user
from portal.core import clock
from portal.core.policy import Role
from portal.customers.models import Customer, Kind, Source
from portal.customers.rules import add_contact, change_grade, create_customer, reassign_owner, set_credit
from portal.extensions import db
from portal.handover import rules as handover_rules
from portal.handover.models import HandoverNote, NoteCustomer, NoteKind
from portal.rates.rules import set_pricing

BATCH = 25
DAYS_OF_HISTORY = 150   # the book exists this long before today

# --- staff ------------------------------------------------------------------------------

STAFF = (
    {"username": "admin", "label": "admin", "role": Role.ADMIN, "display_name": "黃志明 Alex Huang",
     "email": "alex.huang@example.com", "locale": "en", "timezone": "Asia/Taipei"},
    {"username": "lead", "label": "supervisor", "role": Role.SUPERVISOR, "display_name": "陳美玲 Meiling Chen",
     "email": "meiling.chen@example.com", "phone": "+886 7 555 0100 ext 20", "locale": "zh_Hant", "timezone": "Asia/Taipei", "team": Team.DIRECT},
    {"username": "finance", "label": "finance", "role": Role.FINANCE, "display_name": "李淑芬 Sophie Lee",
     "email": "sophie.lee@example.com", "locale": "zh_Hant", "timezone": "Asia/Taipei"},
    {"username": "agent", "label": "agent", "role": Role.AGENT, "display_name": "林志豪 Jason Lin",
     "email": "jason.lin@example.com", "phone": "+886 7 555 0100 ext 21", "locale": "zh_Hant", "timezone": "Asia/Taipei", "team": Team.DIRECT},
    {"username": "peer", "label": "agent", "role": Role.AGENT, "display_name": "张伟 David Zhang",
     "email": "david.zhang@example.com", "phone": "+886 7 555 0100 ext 23", "locale": "zh_Hans", "timezone": "Asia/Shanghai", "team": Team.PEER},
    {"username": "newhire", "label": "agent (new hire)", "role": Role.AGENT, "display_name": "吳佳穎 Emily Wu",
     "email": "emily.wu@example.com", "phone": "+886 7 555 0100 ext 25", "locale": "en", "timezone": "Asia/Taipei", "team": Team.DIRECT,
     "is_new_hire": True},
    # Works for the route department: keeps the rate cards (the supervisor gives the pricing permission).
    {"username": "route", "label": "agent (pricing)", "role": Role.AGENT, "display_name": "周建國 Kevin Chou",
     "email": "kevin.chou@example.com", "locale": "zh_Hant", "timezone": "Asia/Taipei"},
)
PROBATION_DAYS = 90


def role_label(username: str) -> str:
    """The role column of the demo-logins file."""
    return next((s["label"] for s in STAFF if s["username"] == username), "")


# --- names and places -------------------------------------------------------------------

TW_BRANDS = [("台灣", "Taiwan"), ("寶島", "Formosa"), ("永昇", "Yung Sheng"), ("協益", "Hsieh Yi"),
             ("金豐", "Chin Feng"), ("振宇", "Chen Yu"), ("冠傑", "Kuan Chieh"), ("詠晟", "Yung Cheng"),
             ("弘業", "Hung Yeh"), ("嘉福", "Chia Fu"), ("佳和", "Chia Ho"), ("新益", "Hsin Yi"),
             ("達昌", "Ta Chang"), ("瑞興", "Jui Hsing"), ("盛源", "Sheng Yuan"), ("立群", "Li Chun"),
             ("富順", "Fu Shun"), ("南台", "Nan Tai"), ("東聯", "Tung Lien"), ("全鋒", "Chuan Feng"),
             ("祥泰", "Hsiang Tai"), ("益展", "Yi Chan"), ("鴻昌", "Hung Chang"), ("恆毅", "Heng Yi"),
             ("長鈺", "Chang Yu"), ("亞太", "Asia Pacific"), ("聖岱", "Sheng Tai"), ("銓揚", "Chuan Yang"),
             ("宏碩", "Hung Shuo"), ("凱晟", "Kai Cheng"), ("群豐", "Chun Feng"), ("豐展", "Feng Chan"),
             ("建豐", "Chien Feng"), ("崇益", "Chung Yi"), ("億昌", "Yi Chang"), ("日揚", "Jih Yang"),
             ("勝豐", "Sheng Feng"), ("茂順", "Mao Shun"), ("連宇", "Lien Yu"), ("川毅", "Chuan Yi")]
# (Chinese, English, short word for the e-mail domain)
TW_DIRECT = [("精密機械", "Precision Machinery", "machinery"), ("電子", "Electronics", "elec"),
             ("塑膠工業", "Plastic Industrial", "plastic"), ("紡織", "Textile", "textile"),
             ("食品", "Foods", "foods"), ("化學工業", "Chemical Industry", "chem"),
             ("五金", "Hardware", "hardware"), ("螺絲工業", "Fastener Industrial", "fastener"),
             ("自行車", "Bicycle", "bike"), ("光電", "Optoelectronics", "opto"), ("鋼鐵", "Steel", "steel"),
             ("家具", "Furniture", "furniture"), ("汽車零件", "Auto Parts", "autoparts"),
             ("生物科技", "Biotech", "biotech"), ("工具機", "Machine Tool", "mt"),
             ("國際貿易", "International Trading", "trading"), ("紙業", "Paper", "paper"),
             ("半導體設備", "Semiconductor Equipment", "semi"), ("水產", "Seafood", "seafood"),
             ("茶業", "Tea", "tea"), ("企業", "Enterprise", "ent")]
TW_PEER = [("國際物流", "International Logistics", "logistics"), ("海空運", "Sea & Air Express", "express"),
           ("通運", "Transport", "transport"), ("國際貨運承攬", "International Freight Forwarders", "forwarding")]
TW_CARRIER = [("海運", "Marine", "marine"), ("航運", "Shipping", "shipping"), ("輪船", "Steamship", "steamship")]
TW_PROVIDER = [("報關行", "Customs Broker", "customs"), ("貨櫃運輸", "Container Trucking", "trucking"),
               ("倉儲物流", "Warehousing & Logistics", "warehouse"), ("公證", "Marine Surveyors", "survey"),
               ("燻蒸", "Fumigation Services", "fumigation")]
# city, district/road pairs, (area code, first digits of a landline, digits)
TW_PLACES = [
    ("台北市", [("中山區", "南京東路三段"), ("松山區", "民生東路四段"), ("內湖區", "瑞光路"), ("信義區", "基隆路一段"),
              ("大安區", "敦化南路二段")], ("2", "27", 8)),
    ("新北市", [("新莊區", "五工路"), ("汐止區", "新台五路一段"), ("三重區", "重新路五段"), ("土城區", "中央路三段")],
     ("2", "29", 8)),
    ("桃園市", [("蘆竹區", "南崁路一段"), ("大園區", "航勤北路"), ("龜山區", "文化一路"), ("中壢區", "民族路六段")],
     ("3", "3", 7)),
    ("新竹市", [("東區", "光復路二段"), ("東區", "園區二路")], ("3", "5", 7)),
    ("台中市", [("西屯區", "工業區一路"), ("大雅區", "中清路四段"), ("南屯區", "精科路"), ("太平區", "中山路一段")],
     ("4", "23", 8)),
    ("彰化縣", [("鹿港鎮", "鹿工南四路"), ("和美鎮", "彰美路五段")], ("4", "7", 7)),
    ("台南市", [("永康區", "中正南路"), ("安南區", "工業一路")], ("6", "2", 7)),
    ("高雄市", [("前鎮區", "成功二路"), ("小港區", "沿海一路"), ("楠梓區", "加昌路"), ("岡山區", "本洲路")],
     ("7", "3", 7)),
]

CN_BRANDS = [("华盛", "Huasheng"), ("鑫达", "Xinda"), ("恒丰", "Hengfeng"), ("宏远", "Hongyuan"),
             ("金泰", "Jintai"), ("瑞丰", "Ruifeng"), ("嘉诚", "Jiacheng"), ("联创", "Lianchuang"),
             ("天禾", "Tianhe"), ("博远", "Boyuan"), ("中晟", "Zhongsheng"), ("海融", "Hairong"),
             ("永兴", "Yongxing"), ("新锐", "Xinrui"), ("汇通", "Huitong"), ("佳美", "Jiamei"),
             ("明远", "Mingyuan"), ("盛达", "Shengda"), ("利源", "Liyuan"), ("华远", "Huayuan"),
             ("宏图", "Hongtu"), ("金桥", "Jinqiao"), ("安捷", "Anjie"), ("顺源", "Shunyuan"),
             ("德润", "Derun"), ("泰和", "Taihe"), ("瑞通", "Ruitong"), ("博达", "Boda"),
             ("普惠", "Puhui"), ("东升", "Dongsheng"), ("凯丰", "Kaifeng"), ("远航", "Yuanhang")]
CN_DIRECT = [("电子科技", "Electronic Technology", "tech"), ("机械制造", "Machinery Manufacturing", "machinery"),
             ("进出口", "Import & Export", "imex"), ("纺织品", "Textiles", "textile"),
             ("家居用品", "Household Products", "home"), ("新能源科技", "New Energy Technology", "energy"),
             ("化工", "Chemical", "chem"), ("照明电器", "Lighting", "lighting"),
             ("五金制品", "Hardware Products", "hardware"), ("汽车配件", "Auto Parts", "autoparts"),
             ("光伏科技", "Photovoltaic Technology", "pv"), ("玩具", "Toys", "toys"), ("服饰", "Apparel", "apparel")]
CN_STATE = [("国际贸易集团", "International Trade Group", "trade"),
            ("机械设备进出口", "Machinery & Equipment Import & Export", "mei"),
            ("能源集团", "Energy Group", "energy"), ("化工进出口", "Chemicals Import & Export", "chemimex"),
            ("钢铁集团", "Iron & Steel Group", "steel")]
CN_PEER = [("国际货运代理", "International Freight Forwarding", "forwarding"),
           ("供应链管理", "Supply Chain Management", "scm"), ("国际物流", "International Logistics", "logistics")]
CN_CARRIER = [("海运", "Shipping", "shipping"), ("集装箱航运", "Container Lines", "lines")]
CN_PROVIDER = [("报关", "Customs Brokerage", "customs"), ("集装箱运输", "Container Transport", "transport"),
               ("仓储物流", "Warehousing & Logistics", "warehouse"), ("国际船舶代理", "International Shipping Agency", "agency"),
               ("港务", "Port Services", "port")]
# city, province, English, districts/roads, (area code, first digits, digits)
CN_PLACES = [
    ("深圳", "广东省", "Shenzhen", [("福田区", "深南大道"), ("南山区", "科技园南路"), ("宝安区", "宝安大道"), ("龙岗区", "雪岗路")],
     ("755", "8", 8)),
    ("东莞", "广东省", "Dongguan", [("长安镇", "振安中路"), ("虎门镇", "连升路")], ("769", "8", 8)),
    ("广州", "广东省", "Guangzhou", [("黄埔区", "开创大道"), ("番禺区", "市桥街道西环路")], ("20", "8", 8)),
    ("宁波", "浙江省", "Ningbo", [("北仑区", "明州路"), ("鄞州区", "天童南路")], ("574", "8", 8)),
    ("义乌", "浙江省", "Yiwu", [("稠城街道", "工人北路"), ("福田街道", "诚信大道")], ("579", "85", 8)),
    ("上海", "", "Shanghai", [("浦东新区", "张江路"), ("闵行区", "春东路"), ("静安区", "共和新路")], ("21", "6", 8)),
    ("苏州", "江苏省", "Suzhou", [("工业园区", "星湖街"), ("吴中区", "金枫路")], ("512", "6", 8)),
    ("厦门", "福建省", "Xiamen", [("湖里区", "象屿路"), ("思明区", "湖滨南路")], ("592", "5", 7)),
    ("青岛", "山东省", "Qingdao", [("黄岛区", "前湾港路"), ("市南区", "香港中路")], ("532", "8", 8)),
    ("天津", "", "Tianjin", [("滨海新区", "新港二号路"), ("和平区", "南京路")], ("22", "2", 8)),
]
CN_BUILDINGS = ["大厦", "国际中心", "科技园", "工业园", "商务中心"]

HK_BRANDS = [("永興", "Wing Hing"), ("德昌", "Tak Cheong"), ("興業", "Hing Yip"), ("昌盛", "Cheong Shing"),
             ("順發", "Shun Fat"), ("嘉利", "Ka Lee"), ("東昇", "Tung Sing"), ("恒通", "Hang Tung"),
             ("寶豐", "Po Fung"), ("泰和", "Tai Wo"), ("新輝", "Sun Fai"), ("華益", "Wah Yik"),
             ("偉業", "Wai Yip"), ("富昌", "Fu Cheong"), ("聯輝", "Luen Fai"), ("金城", "Kam Shing"),
             ("恒昌", "Hang Cheong"), ("利達", "Lee Tat"), ("安信", "On Shun"), ("百利", "Pak Lee")]
HK_DIRECT = [("貿易", "Trading", "trading"), ("玩具", "Toys", "toys"), ("鐘錶", "Watch", "watch"),
             ("電子", "Electronics", "elec"), ("製衣", "Garment", "garment"), ("珠寶", "Jewellery", "jewellery"),
             ("實業", "Industrial", "ind"), ("食品", "Food", "food")]
HK_PEER = [("貨運", "Freight", "freight"), ("物流", "Logistics", "logistics"),
           ("國際貨運代理", "International Freight Forwarding", "forwarding")]
HK_CARRIER = [("航運", "Shipping", "shipping"), ("船務", "Marine", "marine")]
HK_PROVIDER = [("貨櫃運輸", "Container Transportation", "ctr"), ("貨倉", "Godown", "godown"),
               ("報關", "Customs Declaration Services", "customs")]
HK_PLACES = [("九龍觀塘", "開源道"), ("九龍長沙灣", "長沙灣道"), ("新界葵涌", "葵昌路"), ("香港上環", "干諾道中"),
             ("九龍尖沙咀", "廣東道"), ("新界荃灣", "沙咀道"), ("新界葵涌", "貨櫃碼頭路")]
HK_BUILDINGS = ["工業大廈", "中心", "商業大廈", "貨運中心"]


def _slug(text: str) -> str:
    text = text.lower().replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("ß", "ss")
    return re.sub(r"[^a-z0-9]+", "", text)


def _western(firsts, lasts) -> list:
    """Given name first; e-mail first.last."""
    return [(f"{f} {last}", f"{_slug(f)}.{_slug(last)}") for f in firsts for last in lasts]


def _family_first(families, givens) -> list:
    """Family name first, as written in Vietnam and Korea; e-mail given.family."""
    return [(f"{fam} {g}", f"{_slug(g.split()[-1])}.{_slug(fam)}") for fam in families for g in givens]


@dataclass
class Abroad:
    """A foreign country: company name parts per kind, places, people."""
    code: str
    dial: str
    prefixes: list
    kinds: dict            # kind -> [(English suffix, domain word)]
    places: list           # (street, postcode+city, area code, digits)
    address: str           # format with num, street, city
    people: list           # (display name, e-mail local part)
    extra: dict = field(default_factory=dict)


ABROAD = [
    Abroad("DE", "49", ["Bergmann", "Keller & Sohn", "Hartmann", "Brandt", "Vogel", "Lindner", "Weiss & Partner", "Krüger"],
           {Kind.DIRECT: [("Maschinenbau GmbH", "maschinenbau"), ("Werkzeuge GmbH", "werkzeuge"),
                          ("Handelsgesellschaft mbH", "handel"), ("Industrietechnik GmbH & Co. KG", "industrie"),
                          ("Haushaltswaren GmbH", "haushalt"), ("Fahrradteile GmbH", "fahrrad")],
            Kind.PEER: [("Spedition GmbH", "spedition"), ("Logistik GmbH", "logistik")],
            Kind.CARRIER: [("Feeder Line GmbH & Co. KG", "feeder")],
            Kind.PROVIDER: [("Zollagentur GmbH", "zoll"), ("Containertransporte GmbH", "transporte")]},
           [("Am Sandtorkai", "20457 Hamburg", "40", 8), ("Speicherstraße", "28217 Bremen", "421", 7),
            ("Speditionstraße", "40221 Düsseldorf", "211", 7), ("Industriestraße", "70565 Stuttgart", "711", 7),
            ("Frankfurter Ring", "80807 München", "89", 8)],
           "{street} {num}, {city}, Germany",
           _western(("Markus", "Anna", "Stefan", "Julia", "Thomas", "Katrin", "Jörg", "Sabine"),
                    ("Weber", "Schneider", "Fischer", "Becker", "Hoffmann", "Wagner", "Schulz", "Koch"))),
    Abroad("US", "1", ["Summit", "Keystone", "Redwood", "Harborview", "Liberty", "Cornerstone",
                       "Blue Ridge", "Northstar", "Ironwood", "Meridian"],
           {Kind.DIRECT: [("Home Goods Inc.", "homegoods"), ("Industrial Supply LLC", "supply"),
                          ("Outdoor Products, Inc.", "outdoor"), ("Bicycle Imports LLC", "bikes"),
                          ("Electronics Distribution Inc.", "electronics"), ("Furniture Imports Inc.", "furniture"),
                          ("Auto Parts Wholesale LLC", "autoparts"), ("Tool Company", "tools")],
            Kind.PEER: [("Global Logistics Inc.", "logistics"), ("Freight Services LLC", "freight")],
            Kind.CARRIER: [("Lines Inc.", "lines")],
            Kind.PROVIDER: [("Drayage LLC", "drayage"), ("Customs Brokers Inc.", "customs")]},
           [("Harbor Plaza", "Long Beach, CA 90802", "562", 7), ("E 7th St", "Los Angeles, CA 90021", "213", 7),
            ("Airport Way S", "Seattle, WA 98134", "206", 7), ("Clinton Dr", "Houston, TX 77029", "713", 7),
            ("Grange Rd", "Savannah, GA 31408", "912", 7), ("Doremus Ave", "Newark, NJ 07114", "973", 7)],
           "{num} {street}, {city}, USA",
           _western(("Michael", "Jennifer", "David", "Sarah", "Kevin", "Emily", "Brian", "Megan"),
                    ("Johnson", "Miller", "Davis", "Garcia", "Anderson", "Thompson", "Martinez", "Clark")),
           {"fictional_phone": True}),
    Abroad("VN", "84", ["Hoang Long", "Tan Phat", "Minh Anh", "Phu Thanh", "Viet Hung", "An Khang", "Thanh Cong", "Dai Phat"],
           {Kind.DIRECT: [("Furniture Joint Stock Company", "furniture"), ("Garment Co., Ltd.", "garment"),
                          ("Seafood Trading Co., Ltd.", "seafood"), ("Plastic Co., Ltd.", "plastic"),
                          ("Wood Products JSC", "wood"), ("Footwear Co., Ltd.", "footwear")],
            Kind.PEER: [("Logistics JSC", "logistics"), ("Shipping & Trading Co., Ltd.", "shipping")],
            Kind.CARRIER: [("Marine Transport JSC", "marine")],
            Kind.PROVIDER: [("Customs Services Co., Ltd.", "customs"), ("Container Trucking JSC", "trucking")]},
           [("Song Than Industrial Park", "Di An, Binh Duong", "274", 7),
            ("Nguyen Hue Street", "District 1, Ho Chi Minh City", "28", 8),
            ("Dinh Vu Industrial Zone", "Hai An, Hai Phong", "225", 7),
            ("Tran Hung Dao Street", "Hoan Kiem, Hanoi", "24", 8)],
           "{num} {street}, {city}, Vietnam",
           _family_first(("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu"),
                         ("Van Minh", "Thi Lan", "Duc Anh", "Thi Huong", "Quoc Bao", "Thi Mai", "Minh Tuan"))),
    Abroad("JP", "81", ["Sakura", "Hikari", "Kotobuki", "Tsubasa", "Midori", "Aoba", "Seiwa", "Shinwa"],
           {Kind.DIRECT: [("Precision Parts Co., Ltd.", "precision"), ("Textile K.K.", "textile"),
                          ("Trading Co., Ltd.", "trading"), ("Machinery Corporation", "machinery"),
                          ("Food Products Co., Ltd.", "foods"), ("Chemical Industries Co., Ltd.", "chem")],
            Kind.PEER: [("Logistics Co., Ltd.", "logistics"), ("Kaiun K.K.", "kaiun")],
            Kind.CARRIER: [("Kisen Kaisha, Ltd.", "kisen")],
            Kind.PROVIDER: [("Customs Brokerage Co., Ltd.", "customs"), ("Warehouse Co., Ltd.", "souko")]},
           [("Kaigan, Minato-ku", "Tokyo 105-0022", "3", 8), ("Honcho, Naka-ku", "Yokohama 231-0005", "45", 7),
            ("Nishiki, Naka-ku", "Nagoya 460-0003", "52", 7), ("Minamisemba, Chuo-ku", "Osaka 542-0081", "6", 8),
            ("Hakataeki-mae, Hakata-ku", "Fukuoka 812-0011", "92", 7)],
           "{jpnum} {street}, {city}, Japan",
           _western(("Kenji", "Yuko", "Hiroshi", "Akiko", "Takeshi", "Naoko", "Daisuke", "Mika"),
                    ("Takahashi", "Suzuki", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi"))),
    Abroad("SG", "65", ["Lion City", "Straits", "Merlion", "Pasir Panjang", "Tanjong", "Orchid", "Equator"],
           {Kind.DIRECT: [("Trading Pte. Ltd.", "trading"), ("Electronics Pte. Ltd.", "electronics"),
                          ("Food Industries Pte. Ltd.", "food")],
            Kind.PEER: [("Logistics Pte. Ltd.", "logistics"), ("Supply Chain Pte. Ltd.", "supplychain")],
            Kind.CARRIER: [("Container Lines Pte. Ltd.", "lines"), ("Shipping Pte. Ltd.", "shipping")],
            Kind.PROVIDER: [("Marine Services Pte. Ltd.", "marine")]},
           [("Pandan Loop", "Singapore 128", "", 8), ("Jurong Port Road", "Singapore 619", "", 8),
            ("Tuas Avenue 8", "Singapore 639", "", 8), ("Anson Road", "Singapore 079", "", 8)],
           "{num} {street}, {city}",
           [("Tan Wei Ming", "weiming.tan"), ("Lim Hui Ling", "huiling.lim"), ("Goh Kok Wee", "kokwee.goh"),
            ("Rajesh Kumar", "rajesh.kumar"), ("Nur Aisyah Ahmad", "aisyah"), ("Ong Siew Chin", "siewchin.ong"),
            ("Daniel Teo", "daniel.teo"), ("Rachel Ng", "rachel.ng"), ("Muhammad Faizal", "faizal.m"),
            ("Priya Nair", "priya.nair")]),
    Abroad("KR", "82", ["Hanbit", "Mirae", "Hanul", "Saehan", "Daon", "Sejin", "Jinsung"],
           {Kind.DIRECT: [("Electronics Co., Ltd.", "elec"), ("Industrial Co., Ltd.", "ind"),
                          ("Trading Corp.", "trading"), ("Chemical Co., Ltd.", "chem")],
            Kind.PEER: [("Logistics Co., Ltd.", "logistics")],
            Kind.CARRIER: [("Shipping Co., Ltd.", "shipping")],
            Kind.PROVIDER: [("Customs Service Co., Ltd.", "customs")]},
           [("Jungang-daero, Jung-gu", "Busan 48939", "51", 7), ("Teheran-ro, Gangnam-gu", "Seoul 06164", "2", 8),
            ("Incheon Tower-daero, Yeonsu-gu", "Incheon 22004", "32", 7)],
           "{num} {street}, {city}, Korea",
           _family_first(("Kim", "Park", "Lee", "Choi", "Jung", "Kang"),
                         ("Min-jun", "Ji-young", "Seung-hoon", "Eun-ji", "Hyun-woo", "Soo-jin"))),
    Abroad("NL", "31", ["Van der Berg", "Oranje", "Holland", "Van Dijk", "De Molen", "Noorderlicht", "Tulpen"],
           {Kind.DIRECT: [("Trading B.V.", "trading"), ("Import B.V.", "import"), ("Fresh Produce B.V.", "fresh"),
                          ("Bicycle Parts B.V.", "bikeparts"), ("Horticulture B.V.", "horti")],
            Kind.PEER: [("Logistics B.V.", "logistics"), ("Expeditie B.V.", "expeditie")],
            Kind.CARRIER: [("Shortsea B.V.", "shortsea")],
            Kind.PROVIDER: [("Douane Services B.V.", "douane"), ("Container Transport B.V.", "transport")]},
           [("Waalhaven Oostzijde", "3087 BM Rotterdam", "10", 7), ("Moezelweg", "3198 LS Europoort", "181", 6),
            ("Hoofdweg", "2131 BA Hoofddorp", "23", 7), ("Westpoortweg", "1047 HB Amsterdam", "20", 7)],
           "{street} {num}, {city}, Netherlands",
           _western(("Jeroen", "Sanne", "Bas", "Lotte", "Pieter", "Femke", "Ruud", "Eva"),
                    ("de Vries", "Bakker", "Visser", "Jansen", "van Dijk", "Smit", "Mulder", "de Boer"))),
]

TW_SURNAMES = [("陳", "Chen"), ("林", "Lin"), ("黃", "Huang"), ("張", "Chang"), ("李", "Lee"), ("王", "Wang"),
               ("吳", "Wu"), ("劉", "Liu"), ("蔡", "Tsai"), ("楊", "Yang"), ("許", "Hsu"), ("鄭", "Cheng"),
               ("謝", "Hsieh"), ("郭", "Kuo"), ("洪", "Hung"), ("曾", "Tseng")]
# (given name, romanisation, F/M): English names are chosen to match
TW_GIVEN = [("怡君", "Yi-Chun", "F"), ("志明", "Chih-Ming", "M"), ("淑芬", "Shu-Fen", "F"), ("家豪", "Chia-Hao", "M"),
            ("雅婷", "Ya-Ting", "F"), ("俊宏", "Chun-Hung", "M"), ("佩珊", "Pei-Shan", "F"), ("建宏", "Chien-Hung", "M"),
            ("美惠", "Mei-Hui", "F"), ("冠宇", "Kuan-Yu", "M"), ("宗翰", "Tsung-Han", "M"), ("欣怡", "Hsin-Yi", "F"),
            ("文雄", "Wen-Hsiung", "M"), ("秀玲", "Hsiu-Ling", "F"), ("承恩", "Cheng-En", "M"), ("麗華", "Li-Hua", "F"),
            ("詩涵", "Shih-Han", "F"), ("柏翰", "Po-Han", "M")]
TW_ENGLISH = {"F": ["Amy", "Vivian", "Grace", "Iris", "Peggy", "Cindy", "Joyce", "Wendy", "Tiffany", "Sandy"],
              "M": ["Jason", "Kevin", "Eric", "Allen", "Jerry", "Tony", "Frank", "Steven", "Vincent", "Ray"]}
HK_SURNAMES = [("陳", "Chan"), ("李", "Lee"), ("黃", "Wong"), ("張", "Cheung"), ("林", "Lam"), ("劉", "Lau"),
               ("吳", "Ng"), ("梁", "Leung"), ("何", "Ho"), ("鄭", "Cheng"), ("周", "Chow"), ("麥", "Mak")]
HK_GIVEN = [("嘉欣", "Ka Yan", "F"), ("志偉", "Chi Wai", "M"), ("家豪", "Ka Ho", "M"), ("詠詩", "Wing Sze", "F"),
            ("偉明", "Wai Ming", "M"), ("美玲", "Mei Ling", "F"), ("俊傑", "Chun Kit", "M"), ("婉婷", "Yuen Ting", "F"),
            ("國強", "Kwok Keung", "M"), ("慧敏", "Wai Man", "F")]
HK_ENGLISH = {"F": ["Karen", "Winnie", "Ivy", "Canny", "Peggy", "Queenie"],
              "M": ["Kelvin", "Eric", "Raymond", "Ken", "Alan", "Ricky"]}
CN_SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
               ("黄", "Huang"), ("赵", "Zhao"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun"),
               ("胡", "Hu"), ("郭", "Guo")]
CN_GIVEN = [("磊", "Lei", "M"), ("洋", "Yang", "M"), ("静", "Jing", "F"), ("晓燕", "Xiaoyan", "F"), ("建华", "Jianhua", "M"),
            ("丽娟", "Lijuan", "F"), ("海涛", "Haitao", "M"), ("婷婷", "Tingting", "F"), ("志强", "Zhiqiang", "M"),
            ("颖", "Ying", "F"), ("文博", "Wenbo", "M"), ("雪梅", "Xuemei", "F"), ("俊杰", "Junjie", "M"), ("芳", "Fang", "F"),
            ("浩然", "Haoran", "M"), ("思琪", "Siqi", "F")]
CN_ENGLISH = {"F": ["Lily", "Sunny", "Coco", "Cherry", "Annie", "Vicky"],
              "M": ["Jack", "Tom", "Leo", "Kevin", "Bruce", "Frank"]}

TITLES = {
    "zh_Hant": {Kind.DIRECT: ["船務經理", "關務專員", "採購經理", "物流課長", "進出口專員", "船務助理", "總經理",
                              "財務主管", "資材課長", "業務經理"],
                Kind.PEER: ["業務經理", "操作主管", "客服專員", "海運部經理", "報價專員", "總經理"],
                Kind.CARRIER: ["業務代表", "客服主任", "訂艙專員", "業務經理", "台灣區經理"],
                Kind.PROVIDER: ["報關員", "調度主管", "倉管主任", "業務專員", "負責人"]},
    "zh_Hans": {Kind.DIRECT: ["船务经理", "关务专员", "采购经理", "物流主管", "外贸业务员", "单证员", "总经理",
                              "财务经理", "外贸经理"],
                Kind.PEER: ["销售经理", "操作主管", "海运部经理", "商务专员", "总经理"],
                Kind.CARRIER: ["销售代表", "客服主管", "订舱专员", "华南区销售经理"],
                Kind.PROVIDER: ["报关员", "车队调度", "仓库主管", "业务经理"]},
    "en": {Kind.DIRECT: ["Shipping Manager", "Logistics Coordinator", "Purchasing Manager", "Import Manager",
                         "Supply Chain Director", "Accounts Payable", "Operations Manager", "Customs Specialist"],
           Kind.PEER: ["Pricing Manager", "Operations Supervisor", "Sales Manager", "Managing Director",
                       "Customer Service"],
           Kind.CARRIER: ["Sales Executive", "Customer Service Manager", "Trade Manager Asia", "Booking Desk"],
           Kind.PROVIDER: ["Operations Manager", "Dispatcher", "Warehouse Supervisor", "Account Manager"]},
}

NOTES = {
    Kind.DIRECT: ["每月固定走美西航線（高雄→長灘），旺季需提前兩週訂艙。", "出貨以 40HQ 為主，偶有冷凍櫃；報價請附免用櫃期。",
                  "Prefers e-mail; send the rate sheet every Monday morning.",
                  "Ships LCL to Hamburg monthly; consolidates at our Kaohsiung CFS.",
                  "年底新廠投產，預計明年出貨量增加。", "月結客戶，到期前一週寄對帳單。",
                  "Quotes must show all-in prices in USD; their buyer compares three forwarders."],
    Kind.PEER: ["同行，只報公司賣價；最低價僅口頭告知。", "Co-loads LCL with us on Shanghai–Rotterdam.",
                "常詢冷凍櫃與危險品艙位。", "Books FCL for their own direct shippers to the US East Coast."],
    Kind.CARRIER: ["Contract rates renewed each May; GRI notices come by e-mail.", "美西線艙位緊張時先聯絡業務代表。",
                   "Free time: 7 days detention, 5 days demurrage at Kaohsiung."],
    Kind.PROVIDER: ["報關配合多年，放行速度快。", "Trucking to the port; book the day before by 15:00.",
                    "倉庫可做貼標與分貨。"],
}

GRADE_UP = ["連續三個月每月出貨，升為 A 級。", "新簽年度合約，出貨量穩定增加。", "沉睡客戶重新啟動，近兩個月已有出貨。",
            "Volume up to about ten 40HQ a month since last quarter.",
            "Won their Asia–North Europe tender for the year.",
            "Moved all their LCL to us after a rate review meeting."]
GRADE_DOWN = ["半年未出貨，僅偶爾詢價。", "付款多次逾期，降級觀察。", "主要窗口離職，貨量轉給其他貨代。",
              "Only rate inquiries in the last two quarters.",
              "Lost their US lanes to a competitor after the GRI.",
              "Production moved abroad; far fewer shipments through us."]


# --- helpers ----------------------------------------------------------------------------

def _digits(rng: random.Random, first: str, total: int) -> str:
    """A local number starting with first, total digits long, grouped the local way."""
    number = first + "".join(str(rng.randint(0, 9)) for _ in range(total - len(first)))
    split = 4 if total == 8 else 3
    return f"{number[:split]} {number[split:]}"


def _quota(rng: random.Random, n: int, weights: dict) -> list:
    """n values in proportion to weights, every value at least once when n allows, shuffled."""
    keys = list(weights)
    total = sum(weights.values())
    counts = {k: max(1, round(n * w / total)) if n >= len(keys) else 0 for k, w in weights.items()}
    main = max(weights, key=weights.get)
    counts[main] += n - sum(counts.values())
    if counts[main] < 0:  # tiny n: fall back to weighted draws
        return rng.choices(keys, weights=[weights[k] for k in keys], k=n)
    values = [k for k in keys for _ in range(counts[k])]
    rng.shuffle(values)
    return values


@dataclass
class Draft:
    """One customer before it is created: profile fields plus what its contacts need."""
    profile: dict
    domain: str
    person: object          # callable(rng) -> (name, e-mail local part, extras)
    phone: object           # callable(rng, mobile) -> phone
    title_locale: str


class Builder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.names: set = set()
        self.domains: set = set()
        self.counters: dict = {}

    def code(self, country: str) -> str:
        self.counters[country] = self.counters.get(country, 0) + 1
        return f"{country}-{self.counters[country]:04d}"

    def domain(self, *words) -> str:
        base = "-".join(_slug(w) for w in words if _slug(w))
        candidate, n = base, 1
        while candidate in self.domains:
            n += 1
            candidate = f"{base}{n}"
        self.domains.add(candidate)
        return f"{candidate}.example"

    def unique(self, make):
        """Call make() until it names a company not made before."""
        for _ in range(1000):
            result = make()
            key = result[0] or result[1]
            if key not in self.names:
                self.names.add(key)
                return result
        raise RuntimeError("ran out of demo company names")

    # --- Taiwan -------------------------------------------------------------------------
    def taiwan(self, kind: str, state_owned: bool) -> Draft:
        rng = self.rng
        parts = {Kind.DIRECT: TW_DIRECT, Kind.PEER: TW_PEER, Kind.CARRIER: TW_CARRIER, Kind.PROVIDER: TW_PROVIDER}[kind]

        def make():
            (bz, be), (iz, ie, short) = rng.choice(TW_BRANDS), rng.choice(parts)
            if kind == Kind.PROVIDER and iz == "報關行":
                return f"{bz}{iz}", f"{be} {ie}", be, short
            if rng.random() < 0.75 or kind == Kind.CARRIER:
                return f"{bz}{iz}股份有限公司", f"{be} {ie} {rng.choice(['Co., Ltd.', 'Co., Ltd.', 'Corp.'])}", be, short
            return f"{bz}{iz}有限公司", f"{be} {ie} Co., Ltd.", be, short

        zh, en, brand, short = self.unique(make)
        city, roads, (area, first, ndigits) = rng.choice(TW_PLACES)
        district, road = rng.choice(roads)
        floor = f"{rng.randint(2, 15)}樓" if rng.random() < 0.7 else ""
        address = f"{city}{district}{road}{rng.randint(1, 320)}號{floor}"
        only_zh = kind in (Kind.DIRECT, Kind.PROVIDER) and rng.random() < 0.06
        profile = {"name_zh": zh, "name_en": None if only_zh else en, "country": "TW", "address": address,
                   "preferred_locale": "zh_Hant"}

        def phone(rng, mobile):
            if mobile:
                return f"+886 9{rng.randint(10, 88)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
            ext = f" ext {rng.randint(100, 399)}" if rng.random() < 0.3 else ""
            return f"+886 {area} {_digits(rng, first, ndigits)}{ext}"

        def person(rng):
            (sz, sr), (gz, gr, sex) = rng.choice(TW_SURNAMES), rng.choice(TW_GIVEN)
            english = rng.choice(TW_ENGLISH[sex])
            style = rng.random()
            if style < 0.55:
                name, local = f"{sz}{gz}", rng.choice([f"{gr.replace('-', '').lower()}.{sr.lower()}",
                                                        f"{''.join(p[0] for p in gr.split('-')).lower()}{sr.lower()}"])
            elif style < 0.8:
                name, local = f"{english} {sr}", f"{english.lower()}.{sr.lower()}"
            else:
                name, local = f"{sz}{gz} ({english})", f"{english.lower()}.{sr.lower()}"
            extras = {}
            if rng.random() < 0.6:
                extras["line_id"] = rng.choice([f"{english.lower()}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
                                                f"{local.replace('.', '_')}", f"{sr.lower()}.{rng.randint(60, 99)}"])
            return name, local, extras

        return Draft(profile, self.domain(brand, short), person, phone, "zh_Hant")

    # --- mainland -----------------------------------------------------------------------
    def mainland(self, kind: str, state_owned: bool) -> Draft:
        rng = self.rng
        city, province, city_en, roads, (area, first, ndigits) = rng.choice(CN_PLACES)
        if state_owned:
            parts = CN_STATE if kind == Kind.DIRECT else {
                Kind.CARRIER: CN_CARRIER, Kind.PROVIDER: CN_PROVIDER[3:], Kind.PEER: CN_PEER}[kind]
        else:
            parts = {Kind.DIRECT: CN_DIRECT, Kind.PEER: CN_PEER, Kind.CARRIER: CN_CARRIER,
                     Kind.PROVIDER: CN_PROVIDER[:4]}[kind]

        def make():
            (bz, be), (iz, ie, short) = rng.choice(CN_BRANDS), rng.choice(parts)
            municipality = city in ("上海", "天津")
            prefix = city if (municipality or state_owned or rng.random() < 0.4) else f"{city}市"
            if state_owned and kind == Kind.DIRECT and rng.random() < 0.5:
                return f"{prefix}{iz}有限公司", f"{city_en} {ie} Co., Ltd.", city_en, short
            suffix = "股份有限公司" if rng.random() < 0.15 else "有限公司"
            return f"{prefix}{bz}{iz}{suffix}", f"{city_en} {be} {ie} Co., Ltd.", be, short

        zh, en, brand, short = self.unique(make)
        district, road = rng.choice(roads)
        building = f"{rng.choice(CN_BRANDS)[0]}{rng.choice(CN_BUILDINGS)}"
        where = f"{rng.randint(1, 30)}楼{rng.randint(1, 30):02d}{rng.randint(1, 9):02d}室" if "园" not in building \
            else f"{rng.choice('ABCD')}栋{rng.randint(1, 8)}楼"
        address = f"{province}{city}市{district}{road}{rng.randint(1, 888)}号{building}{where}"
        only_zh = kind in (Kind.DIRECT, Kind.PROVIDER) and not state_owned and rng.random() < 0.1
        profile = {"name_zh": zh, "name_en": None if only_zh else en, "country": "CN", "address": address,
                   "preferred_locale": "zh_Hans"}

        def phone(rng, mobile):
            if mobile:
                return f"+86 1{rng.choice('3589')}{rng.randint(0, 9)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
            return f"+86 {area} {_digits(rng, first, ndigits)}"

        def person(rng):
            (sz, sr), (gz, gr, sex) = rng.choice(CN_SURNAMES), rng.choice(CN_GIVEN)
            if rng.random() < 0.2:
                english = rng.choice(CN_ENGLISH[sex])
                name, local = f"{sz}{gz} {english}", f"{english.lower()}.{sr.lower()}"
            else:
                name, local = f"{sz}{gz}", f"{sr.lower()}{gr.lower()}"
            extras = {}
            if rng.random() < 0.85:
                extras["wechat"] = rng.choice([f"{sr.lower()}{gr.lower()}{rng.randint(1975, 1998)}",
                                               f"wxid_{''.join(rng.choices('abcdefghijkmnpqrstuvwxyz0123456789', k=12))}",
                                               f"{gr.lower()}_{sr.lower()}{rng.randint(1, 99)}"])
            return name, local, extras

        return Draft(profile, self.domain(brand, short), person, phone, "zh_Hans")

    # --- Hong Kong ----------------------------------------------------------------------
    def hong_kong(self, kind: str, state_owned: bool) -> Draft:
        rng = self.rng
        parts = {Kind.DIRECT: HK_DIRECT, Kind.PEER: HK_PEER, Kind.CARRIER: HK_CARRIER, Kind.PROVIDER: HK_PROVIDER}[kind]

        def make():
            (bz, be), (iz, ie, short) = rng.choice(HK_BRANDS), rng.choice(parts)
            zh = f"{bz}{iz}{rng.choice(['有限公司', '有限公司', '(香港)有限公司'])}"
            en = f"{be} {ie} {'(HK) Limited' if '香港' in zh else rng.choice(['Company Limited', 'Limited'])}"
            return zh, en, be, short

        zh, en, brand, short = self.unique(make)
        area, road = rng.choice(HK_PLACES)
        building = f"{rng.choice(HK_BRANDS)[0]}{rng.choice(HK_BUILDINGS)}"
        address = f"{area}{road}{rng.randint(1, 200)}號{building}{rng.randint(2, 30)}樓{rng.choice('ABCDEF')}室"
        profile = {"name_zh": zh, "name_en": en, "country": "HK", "address": address, "preferred_locale": "zh_Hant"}

        def phone(rng, mobile):
            return f"+852 {_digits(rng, rng.choice('569') if mobile else rng.choice('23'), 8)}"

        def person(rng):
            (sz, sr), (gz, _gr, sex) = rng.choice(HK_SURNAMES), rng.choice(HK_GIVEN)
            english = rng.choice(HK_ENGLISH[sex])
            style = rng.random()
            if style < 0.5:
                name = f"{sz}{gz} {english} {sr}"
            elif style < 0.9:
                name = f"{english} {sr}"
            else:
                name = f"{sz}{gz}"
            extras = {"wechat": f"{english.lower()}{sr.lower()}{rng.randint(10, 99)}"} if rng.random() < 0.2 else {}
            return name, f"{english.lower()}.{sr.lower()}", extras

        return Draft(profile, self.domain(brand, short), person, phone, "zh_Hant")

    # --- abroad -------------------------------------------------------------------------
    def abroad(self, kind: str, state_owned: bool) -> Draft:
        rng = self.rng

        def make():
            country = rng.choice(ABROAD)
            prefix, (suffix, short) = rng.choice(country.prefixes), rng.choice(country.kinds[kind])
            return None, f"{prefix} {suffix}", prefix, short, country

        _zh, en, brand, short, country = self.unique(make)
        street, city, area, ndigits = rng.choice(country.places)
        if country.code == "SG":
            city = f"{city}{rng.randint(100, 999)}"
            street = f"{street}, #{rng.randint(2, 18):02d}-{rng.randint(1, 40):02d}" if street == "Anson Road" else street
        address = country.address.format(num=rng.randint(1, 260), street=street, city=city,
                                         jpnum=f"{rng.randint(1, 5)}-{rng.randint(1, 20)}-{rng.randint(1, 15)}")
        profile = {"name_zh": None, "name_en": en, "country": country.code, "address": address,
                   "preferred_locale": "en"}

        def phone(rng, mobile):
            if country.extra.get("fictional_phone"):  # 555-01xx: reserved for fiction
                return f"+1 {area} 555 01{rng.randint(0, 99):02d}"
            if country.code == "SG":
                first = rng.choice("89") if mobile else "6"
            else:
                first = str(rng.randint(2, 8))
            local = _digits(rng, first, ndigits)
            return f"+{country.dial} {area} {local}" if area else f"+{country.dial} {local}"

        def person(rng):
            name, local = rng.choice(country.people)
            return name, local, {}

        return Draft(profile, self.domain(brand, short), person, phone, "en")


# --- loading ----------------------------------------------------------------------------

def _make_staff() -> tuple[dict, dict]:
    users, passwords = {}, {}
    today = clock.today(current_app.config["PORTAL_TIMEZONE"])
    for spec in STAFF:
        fields = {k: v for k, v in spec.items() if k not in ("username", "label")}
        if fields.get("is_new_hire"):
            fields["probation_ends_on"] = today + timedelta(days=PROBATION_DAYS)
        password = secrets.token_urlsafe(9)
        users[spec["username"]] = create_user(users.get("admin"), spec["username"], password, **fields)
        passwords[spec["username"]] = password
    return users, passwords


def _contacts(rng: random.Random, actor: User, customer: Customer, draft: Draft, kind: str, grade: str) -> None:
    count = 1 if grade == "D" else rng.choices((1, 2, 3), weights=(40, 40, 20))[0]
    titles = rng.sample(TITLES[draft.title_locale][kind], k=min(count, len(TITLES[draft.title_locale][kind])))
    seen = set()
    for i in range(count):
        for _ in range(20):
            name, local, extras = draft.person(rng)
            if name not in seen:
                break
        seen.add(name)
        fields = {"name": name, "title": titles[i % len(titles)], "phone": draft.phone(rng, rng.random() < 0.35),
                  "email": f"{local}@{draft.domain}", **extras}
        if rng.random() < 0.35:
            fields["birthday"] = date(rng.randint(1962, 1998), rng.randint(1, 12), rng.randint(1, 28))
        add_contact(actor, customer, fields)


def load_demo(seed: int = 7, customers: int = 200) -> dict[str, str]:
    """Create the demo staff, customers, a week of shift handovers and ninety days of quotes
    through the app's rules; returns {username: password}.

    Needs an app context; pushes a request context of its own when there is none (the rules'
    messages are translated). Flushes, never commits.
    """
    with nullcontext() if has_request_context() else current_app.test_request_context():
        return _load(seed, customers)


# A made-up company (its numbers are not in use).
COMPANY = {"name_en": "Harbour Line Logistics Co., Ltd.", "name_zh_hant": "港灣航運物流股份有限公司",
           "name_zh_hans": "港湾航运物流股份有限公司",
           "address_en": "12F, No. 100, Zhongshan 4th Rd., Qianzhen Dist., Kaohsiung 806, Taiwan",
           "address_zh_hant": "806 高雄市前鎮區中山四路100號12樓", "address_zh_hans": "806 台湾高雄市前镇区中山四路100号12楼",
           "phone": "+886 7 555 0100", "email": "cs@harbourline.example", "website": "harbourline.example"}


def _load(seed: int, n: int) -> dict[str, str]:
    rng = random.Random(seed)
    now = clock.now()
    # The book was built up before the ninety days of quotes: staff and customers are stamped
    # then, grade reviews, reassignments and credit terms along the way (the portal's clock is set).
    users, passwords = _make_staff()
    # The company on the customers' documents, as its admin set it up.
    from portal.company.rules import save_profile
    save_profile(users["admin"], None, COMPANY)
    with clock.set_to(now - timedelta(days=DAYS_OF_HISTORY)) as hand:
        # The route department's agent keeps the rate cards from the start.
        set_pricing(users["lead"], users["route"], True, users["route"].version)
        made = _book(rng, n, users, hand, now)
    db.session.flush()

    # A week of shift handovers among the agents and the supervisor, ending now.
    from portal.demo.handover import load_handover
    load_handover(seed, users, made)

    # Ninety days of quotes, approvals and follow-ups, ending now.
    from portal.demo.quotes import load_quotes
    load_quotes(seed, users, made)

    # Fourteen weeks of sailings and about four hundred shipments, some booked from won quotes.
    from portal.demo.shipments import load_shipments
    load_shipments(seed, users, made)

    # Six weeks of contacts and visits, the reactivation queue being worked, complaint cases and
    # review meetings, ending now.
    from portal.demo.visits import load_visits
    load_visits(seed, users, made)
    return passwords


def _take_over(customer: Customer, new_owner: User, hand) -> None:
    """The new owner acknowledges the customer handover within the day (R-H4)."""
    note = db.session.scalars(sa.select(HandoverNote).where(
        HandoverNote.kind == NoteKind.CUSTOMER,
        HandoverNote.id.in_(sa.select(NoteCustomer.note_id).where(NoteCustomer.customer_id == customer.id)))
        .order_by(HandoverNote.id.desc()).limit(1)).one()
    hand.move_to(clock.now() + timedelta(hours=3))
    handover_rules.acknowledge(new_owner, note)


def _book(rng: random.Random, n: int, users: dict[str, User], hand, now) -> list[Customer]:
    lead, finance = users["lead"], users["finance"]
    builder = Builder(rng)

    origins = _quota(rng, n, {"TW": 40, "CN": 25, "HK": 12, "ABROAD": 23})
    kinds = _quota(rng, n, {Kind.DIRECT: 56, Kind.PEER: 28, Kind.CARRIER: 7, Kind.PROVIDER: 9})
    grades = _quota(rng, n, {"A": 15, "B": 35, "C": 35, "D": 15})
    sources = _quota(rng, n, {Source.SELF_SOURCED: 45, Source.MANAGEMENT: 20, Source.DEPARTED: 12,
                              Source.REACTIVATED: 12, Source.VIP: 11})
    owner_weights = {
        Kind.DIRECT: {"agent": 50, "newhire": 22, "lead": 20, "peer": 8},
        Kind.PEER: {"peer": 85, "lead": 15},
        Kind.CARRIER: {"agent": 40, "lead": 40, "peer": 20},
        Kind.PROVIDER: {"agent": 50, "lead": 30, "newhire": 20},
    }
    builders = {"TW": builder.taiwan, "CN": builder.mainland, "HK": builder.hong_kong, "ABROAD": builder.abroad}
    made = []
    for i in range(n):
        origin, kind, grade, source = origins[i], kinds[i], grades[i], sources[i]
        owner = users[rng.choices(list(owner_weights[kind]), weights=list(owner_weights[kind].values()))[0]]
        if owner is users["newhire"] and grade == "A":
            grade = "C"   # a new hire's book is small customers; grade counts stay close to the quota
        # State-owned enterprises are mainland companies, and a few of their Hong Kong arms.
        odds = {"CN": {Kind.DIRECT: 0.25, Kind.CARRIER: 0.6, Kind.PROVIDER: 0.2},
                "HK": {Kind.DIRECT: 0.05, Kind.CARRIER: 0.3}}.get(origin, {})
        state_owned = rng.random() < odds.get(kind, 0)
        draft = builders[origin](kind, state_owned)
        is_vip = source == Source.VIP or (grade == "A" and rng.random() < 0.3)
        if is_vip and grade in ("C", "D"):
            grade = "B"
        profile = draft.profile | {
            "code": builder.code(draft.profile["country"]), "kind": kind, "source": source, "is_vip": is_vip,
            "is_state_owned": state_owned,
            "notes": rng.choice(NOTES[kind]) if rng.random() < 0.25 else None,
        }
        # Self-sourced customers are entered by their owner; the rest are handed out by the supervisor.
        if source == Source.SELF_SOURCED or owner is lead:
            customer = create_customer(owner, profile, grade)
        else:
            customer = create_customer(lead, profile, grade, owner=owner)
        _contacts(rng, owner, customer, draft, kind, grade)
        made.append(customer)
        if (i + 1) % BATCH == 0:
            db.session.flush()

    # Later events: grade reviews, reassignments, credit terms, spread over the months since.
    start = clock.now()
    for k, customer in enumerate(made):
        hand.move_to(start + (now - start) * (0.2 + 0.7 * k / max(len(made), 1)))
        if rng.random() < 0.2:
            up = customer.grade != "A" and (customer.grade == "D" or rng.random() < 0.5)
            new = "ABCD"["ABCD".index(customer.grade) + (-1 if up else 1)]
            change_grade(lead, customer, new, rng.choice(GRADE_UP if up else GRADE_DOWN), customer.version)
        if rng.random() < 0.1:
            pool = ["peer", "lead"] if customer.kind == Kind.PEER else ["agent", "newhire", "lead", "peer"]
            choices = [users[u] for u in pool if users[u].id != customer.owner_id]
            new_owner = rng.choice(choices)
            reassign_owner(lead, customer, new_owner, customer.version)
            _take_over(customer, new_owner, hand)
        if customer.kind == Kind.DIRECT and (customer.grade in ("A", "B") or
                                             (customer.grade == "C" and rng.random() < 0.4)):
            days = rng.choices((30, 45, 60), weights=(50, 30, 20))[0]
            scale = {"A": 3, "B": 2, "C": 1}[customer.grade]
            if customer.country == "TW":
                limit, currency = Decimal(rng.randint(5, 40) * scale * 100_000), "TWD"
            else:
                limit, currency = Decimal(rng.randint(4, 30) * scale * 5_000), "USD"
            set_credit(finance, customer, customer.version, days, limit, currency)
    return made
