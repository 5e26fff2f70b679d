"""Ninety days of quotes ending now, made only through portal.quotes.rules.

About 300 quotations from the demo agents to shippers and peer forwarders in Taiwan, the
mainland, Hong Kong and abroad: mostly FCL out of Kaohsiung, Keelung, Taichung, Shanghai,
Ningbo, Yantian, Hong Kong and the like to the US, Europe, Asia, Africa, Oceania and Latin
America, some LCL, a few special-equipment and breakbulk inquiries (shipper, dimensions, ship
date, target price) and some dangerous goods (class, UN number, fees confirmed), with ocean
freight, surcharges and origin charges priced per lane and in local currency (TWD, CNY, HKD).

Each quote lives its story in order: the inquiry, the quote, the new hire's (`newhire`)
approval by the supervisor (`lead`) or her return with a comment, below-minimum and
self-sourced rates (R-Q6), minimum rates written to a peer forwarder (R-Q5), the quote sent,
follow-ups (R-Q8), then won, lost with a reason, expired by the scheduled job past its
validity, revised after a counter-offer (R-Q9) or duplicated for a repeat order.
Right now some wait for the supervisor, some were just returned or approved, some are drafts
(special cargo waits on the route department), and `agent` has follow-ups due today.

All the stories run together in time order (office hours, Monday to Friday, in the portal's
time zone) on the portal's own clock, set back and moved forward step by step
(core.clock.set_to): every stamp the rules and the models make (numbers per month, response
seconds, follow-up times, decisions, audit rows) is the moment the thing happened.
Everything comes from random.Random(seed); only the placement in time follows the clock.
Carriers are real; prices are made up.

Quotes price from the rate cards (portal/demo/rates.py writes them as the quotes first ask): the
buy and minimum rates are the card's, a peer forwarder is quoted the company sell rate, a direct
customer a margin of its own above the minimum. A self-sourced quote is on a carrier without a
card; special cargo gets its holding reply within minutes; one quote went out provisional (no
rate yet) and one peer forwarder's inquiry on a lane the company does not work was declined.
"""
import bisect
import heapq
import random
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from portal.auth.models import User
from portal.core import clock as portal_clock
from portal.customers.models import Contact, Customer, Kind
from portal.extensions import db
from portal.quotes import rules
from portal.demo.rates import CardDesk
from portal.quotes.models import GENERAL_CARGO, LineSource, Mode, Quote, Status
from portal.reference import CARRIERS

TOTAL = 285                 # stories for 200 customers; duplicates and revisions come on top
FEWEST = 90                 # stories for a small book (every state still shows)
PER_AGENT = {"newhire": 40, "peer": 75, "lead": 12}   # of TOTAL; `agent` writes the rest
DAYS = 90
NEW_HIRE_DAYS = 60          # she joined two months ago
DAY = 570                   # business minutes in a day: 08:30-18:00
OPEN, CLOSE = time(8, 30), time(18, 0)
UTC = ZoneInfo("UTC")

# --- office hours --------------------------------------------------------------------------------


class Calendar:
    """Office hours as a line of business minutes: index(t) counts the minutes worked before t,
    at(i) is the moment when i of them have been worked. Stories move along this line, so they
    never happen at night or at the weekend."""

    def __init__(self, now: datetime, zone: str):
        self.now, self.tz = now, ZoneInfo(zone)
        self.today = self.local(now).date()
        self.windows = []
        for k in range(-DAYS - 40, 60):
            day = self.today + timedelta(days=k)
            if day.weekday() < 5:
                self.windows.append((self.moment(day, OPEN), self.moment(day, CLOSE)))
        self.starts = [s for s, _e in self.windows]
        self.cum = [0.0]
        for s, e in self.windows:
            self.cum.append(self.cum[-1] + (e - s).total_seconds() / 60)
        self.now_index = self.index(now)
        self.last_workday = self.local(self.at(self.now_index)).date()

    def moment(self, day: date, at: time) -> datetime:
        """The naive UTC moment of a local time of day."""
        return datetime.combine(day, at, self.tz).astimezone(UTC).replace(tzinfo=None)

    def local(self, t: datetime) -> datetime:
        return t.replace(tzinfo=UTC).astimezone(self.tz)

    def index(self, t: datetime) -> float:
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0.0
        s, e = self.windows[i]
        return self.cum[i] + min(t - s, e - s).total_seconds() / 60

    def at(self, index: float) -> datetime:
        i = min(max(bisect.bisect_left(self.cum, index) - 1, 0), len(self.windows) - 1)
        moment = self.starts[i] + timedelta(minutes=index - self.cum[i])
        return moment.replace(microsecond=0)

    def date_of(self, index: float) -> date:
        return self.local(self.at(index)).date()

    def day_end(self, day: date) -> float:
        """The last business minute of the day (of the working day before, at a weekend)."""
        return self.index(self.moment(day, CLOSE))

    def days_back(self, days: int) -> float:
        return self.now_index - self.index(self.now - timedelta(days=days))


# --- lanes and prices ----------------------------------------------------------------------------

TRANSPACIFIC = ("EGLV", "YMLU", "COSU", "OOLU", "ONEY", "HDMU", "ZIMU", "CMDU", "MSCU", "MAEU", "HLCU", "WHLC")
EUROPE = ("EGLV", "YMLU", "COSU", "OOLU", "ONEY", "HDMU", "CMDU", "MSCU", "MAEU", "HLCU")
INTRA_ASIA = ("WHLC", "EGLV", "YMLU", "TSLU", "SITC", "KMTU", "ONEY", "COSU", "OOLU", "PCIU")
# trade: (ports of discharge, company sell rate for ocean freight in USD per 40' (low, high),
#         LCL per CBM, breakbulk per freight ton, carriers, long haul)
TRADES = {
    "USWC": (("USLAX", "USLGB", "USOAK", "USSEA", "USTIW", "CAVAN"), (1800, 3200), (45, 95), (85, 150),
             TRANSPACIFIC, True),
    "USEC": (("USNYC", "USSAV", "USCHS", "USHOU", "USORF", "USMIA", "CAMTR"), (2800, 4600), (70, 125), (95, 170),
             TRANSPACIFIC, True),
    "NEUR": (("NLRTM", "DEHAM", "DEBRV", "BEANR", "GBFXT", "GBSOU", "FRLEH", "PLGDN", "SEGOT", "DKAAR"),
             (1500, 2800), (35, 80), (75, 140), EUROPE, True),
    "MED": (("ITGOA", "ITSPE", "ESVLC", "ESBCN", "ESALG", "GRPIR", "TRIST", "SIKOP", "FRFOS", "PTSIE"),
            (1700, 3000), (40, 85), (80, 145), EUROPE, True),
    "NEASIA": (("JPTYO", "JPYOK", "JPOSA", "JPUKB", "JPNGO", "KRPUS", "KRINC"), (150, 450), (5, 25), (35, 60),
               INTRA_ASIA, False),
    "SEASIA": (("SGSIN", "VNSGN", "VNHPH", "THLCH", "THBKK", "MYPKG", "MYTPP", "IDJKT", "IDSUB", "PHMNL"),
               (200, 600), (8, 30), (40, 70), INTRA_ASIA, False),
    "CHINA": (("CNSHA", "CNNGB", "CNXMN", "CNTAO", "CNYTN", "CNTSN", "HKHKG"), (150, 400), (10, 25), (35, 55),
              ("WHLC", "TSLU", "EGLV", "YMLU", "SITC", "COSU", "OOLU"), False),
    "TAIWAN": (("TWKHH", "TWKEL", "TWTXG"), (150, 400), (10, 25), (35, 55),
               ("WHLC", "TSLU", "EGLV", "YMLU", "SITC", "COSU", "OOLU"), False),
    "ISC": (("INNSA", "INMAA", "LKCMB", "PKKHI", "BDCGP"), (700, 1600), (25, 50), (60, 110),
            ("WHLC", "EGLV", "YMLU", "TSLU", "PCIU", "COSU", "ONEY", "MSCU", "CMDU", "HDMU"), True),
    "MIDEAST": (("AEJEA", "SAJED"), (900, 1900), (30, 60), (65, 120),
                ("EGLV", "YMLU", "WHLC", "PCIU", "COSU", "ONEY", "MSCU", "CMDU", "HDMU", "OOLU"), True),
    "AFRICA": (("ZADUR", "ZACPT", "KEMBA", "TZDAR", "NGAPP", "GHTEM", "TGLFW", "CIABJ", "MAPTM", "DJJIB", "SNDKR"),
               (2400, 4800), (70, 140), (95, 180), ("MSCU", "CMDU", "MAEU", "PCIU", "COSU", "EGLV", "ONEY"), True),
    "OCEANIA": (("AUSYD", "AUMEL", "AUBNE", "NZAKL", "AUFRE"), (900, 1900), (35, 70), (70, 130),
                ("OOLU", "COSU", "MSCU", "MAEU", "CMDU", "EGLV", "PCIU", "HLCU"), True),
    "LATAM": (("MXZLO", "BRSSZ", "CLSAI", "PECLL", "COCTG", "PAMIT"), (2000, 3800), (60, 120), (90, 170),
              ("COSU", "MSCU", "MAEU", "ONEY", "HLCU", "EGLV", "CMDU", "ZIMU", "WHLC"), True),
}
TRADE_OF = {pod: trade for trade, spec in TRADES.items() for pod in spec[0]}
# Where each kind of customer ships to.
TRADE_WEIGHTS = {
    "TW": {"USWC": 20, "USEC": 8, "NEUR": 14, "MED": 6, "NEASIA": 10, "SEASIA": 13, "CHINA": 8, "ISC": 4,
           "MIDEAST": 4, "AFRICA": 3, "OCEANIA": 5, "LATAM": 5},
    "CN": {"USWC": 20, "USEC": 9, "NEUR": 15, "MED": 8, "NEASIA": 6, "SEASIA": 11, "TAIWAN": 3, "ISC": 6,
           "MIDEAST": 6, "AFRICA": 6, "OCEANIA": 5, "LATAM": 5},
    "PEER": {"USWC": 12, "USEC": 6, "NEUR": 10, "MED": 6, "NEASIA": 6, "SEASIA": 10, "ISC": 8, "MIDEAST": 9,
             "AFRICA": 18, "OCEANIA": 5, "LATAM": 7},
}
# Importers abroad are quoted to their own ports.
COUNTRY_PODS = {"US": ("USLAX", "USLGB", "USSEA", "USOAK", "USNYC", "USSAV", "USHOU"), "DE": ("DEHAM", "DEBRV"),
                "NL": ("NLRTM",), "VN": ("VNSGN", "VNHPH"), "JP": ("JPTYO", "JPYOK", "JPOSA", "JPNGO"),
                "SG": ("SGSIN",), "KR": ("KRPUS", "KRINC")}
EU = {"NL", "DE", "BE", "FR", "ES", "IT", "GR", "PL", "SE", "DK", "PT", "SI"}

# Ports of loading by where the customer is.
TW_POL = [(r"高雄|台南|屏東", {"TWKHH": 85, "TWTXG": 15}), (r"台中|彰化", {"TWTXG": 65, "TWKHH": 35}),
          (r"", {"TWKEL": 45, "TWKHH": 35, "TWTPE": 20})]
CN_POL = [(r"深圳|东莞", {"CNYTN": 60, "CNSHK": 40}), (r"广州", {"CNCAN": 50, "CNSHK": 50}),
          (r"宁波|义乌", {"CNNGB": 100}), (r"上海|苏州", {"CNSHA": 80, "CNNGB": 20}), (r"厦门", {"CNXMN": 100}),
          (r"青岛", {"CNTAO": 100}), (r"天津", {"CNTSN": 100}), (r"", {"CNSHA": 50, "CNNGB": 50})]

# Origin charges: currency, THC 20'/40', documentation per B/L, seal, CFS per CBM, trucking 20'/40',
# customs declaration per B/L, and what a US dollar buys (for ALL-IN prices).
LOCAL = {
    "TW": ("TWD", 5600, 7000, (1500, 1800), 200, (420, 480), (5500, 9500), (7000, 13500), (800, 1500), 32),
    "CN": ("CNY", 890, 1340, (450, 550), 60, (70, 90), (1000, 2200), (1400, 2800), (200, 350), 7.2),
    "HK": ("HKD", 2140, 2990, (480, 560), 80, (200, 250), (1800, 3200), (2400, 4200), (300, 450), 7.8),
}

# --- cargo ---------------------------------------------------------------------------------------------

# key: (Traditional, Simplified, English, density: H heavy, M medium, L light)
GOODS = {
    "machine_parts": ("機械零件", "机械零件", "Machine parts", "H"),
    "machine_tools": ("工具機", "机床", "Machine tools", "H"),
    "hand_tools": ("手工具", "手动工具", "Hand tools", "H"),
    "electronics": ("電子零組件", "电子元器件", "Electronic components", "L"),
    "led": ("LED 燈具", "LED 灯具", "LED lighting", "L"),
    "pcb": ("印刷電路板組件", "印刷电路板组件", "PCB assemblies", "M"),
    "semi": ("半導體設備零件", "半导体设备零件", "Semiconductor equipment parts", "M"),
    "garments": ("成衣", "服装", "Garments", "L"),
    "fabric": ("針織布", "针织布", "Knitted fabric", "M"),
    "shoes": ("鞋類", "鞋类", "Footwear", "L"),
    "furniture": ("家具", "家具", "furniture", "L"),
    "office_furniture": ("辦公家具", "办公家具", "Office furniture", "L"),
    "household": ("家居用品", "家居用品", "Household goods", "L"),
    "auto_parts": ("汽車零件", "汽车配件", "auto parts", "M"),
    "brake": ("煞車來令片", "刹车片", "Brake pads", "H"),
    "fasteners": ("螺絲螺帽", "螺丝螺母", "Steel fasteners", "H"),
    "steel": ("鋼捲", "钢卷", "Steel coils", "H"),
    "bicycles": ("自行車", "自行车", "Bicycles", "L"),
    "bike_parts": ("自行車零件", "自行车零件", "Bicycle parts", "M"),
    "resin": ("塑膠粒", "塑料粒子", "Plastic resin (non-DG)", "H"),
    "plastic_goods": ("塑膠製品", "塑料制品", "Plastic household goods", "L"),
    "paper": ("紙捲", "纸卷", "Paper rolls", "H"),
    "tea": ("茶葉", "茶叶", "Tea", "L"),
    "canned": ("罐頭食品", "罐头食品", "Canned food", "H"),
    "toys": ("玩具", "玩具", "Toys", "L"),
    "pv": ("太陽能板", "光伏组件", "Solar panels", "M"),
    "supplements": ("保健食品", "保健食品", "Health supplements", "L"),
    "general": ("雜貨", "杂货", "General cargo", "M"),
}
# (Traditional, Simplified, English, class, UN number, density)
DANGEROUS = [("化工原料", "化工原料", "Paint (chemical raw material)", "3", "1263", "M"),
             ("樹脂溶液", "树脂溶液", "Resin solution", "3", "1866", "M"),
             ("鋰電池", "锂电池", "Lithium-ion batteries", "9", "3480", "M"),
             ("腐蝕性清潔劑", "腐蚀性清洁剂", "Corrosive cleaning liquid", "8", "1760", "H"),
             ("噴霧罐", "气雾罐", "Aerosols", "2.1", "1950", "L")]
# Special equipment: (Traditional, Simplified, English, container, dimensions, weight per unit (kg), reefer)
SPECIAL = [("CNC 車床", "CNC 车床", "CNC lathe", "40FR", "L 520 x W 245 x H 265 cm", (9000, 14000), False),
           ("射出成型機", "注塑机", "Injection moulding machine", "40FR", "L 780 x W 260 x H 240 cm", (18000, 26000),
            False),
           ("綜合加工機（超高）", "加工中心（超高）", "Machining centre (over height)", "40OT",
            "L 580 x W 230 x H 285 cm", (11000, 16000), False),
           ("變壓器", "变压器", "Power transformer", "20FR", "L 420 x W 250 x H 290 cm", (14000, 22000), False),
           ("發電機組", "发电机组", "Generator set", "40FR", "L 610 x W 240 x H 270 cm", (12000, 20000), False),
           ("半導體設備（氣墊木箱）", "半导体设备（气垫木箱）", "Semiconductor tool (air-ride crates)", "40OT",
            "L 560 x W 228 x H 275 cm", (6000, 9000), False),
           ("冷凍魷魚", "冷冻鱿鱼", "Frozen squid", "40RH", "1,980 cartons on 20 pallets, -18°C", (24000, 27000), True),
           ("冷凍鯖魚", "冷冻鲭鱼", "Frozen mackerel", "40RH", "2,200 cartons, -18°C", (25000, 27500), True),
           ("鳳梨（冷藏）", "菠萝（冷藏）", "Fresh pineapples", "40RH", "20 pallets, +7°C, vent 25 CBM/h", (20000, 23000),
            True)]
# Breakbulk: (Traditional, Simplified, English, dimensions, pieces, weight (t), CBM)
BREAKBULK = [("遊艇", "游艇", "Motor yacht on steel cradle", "1 unit, L 2,150 x W 560 x H 610 cm", 1, (22, 45), 734),
             ("鋼構件", "钢结构件", "Steel structure sections", "12 pcs, longest L 1,480 x W 120 x H 150 cm", 12,
              (60, 120), 260),
             ("壓力容器", "压力容器", "Pressure vessel", "1 pc, L 1,850 x W 420 x H 430 cm", 1, (38, 55), 334),
             ("橋式起重機樑", "桥式起重机梁", "Overhead crane girders", "4 pcs, each L 2,200 x W 110 x H 180 cm", 4,
              (40, 70), 174)]
# What a customer's name says it makes.
INDUSTRY = [
    (r"Machine|Maschinen|Werkzeug|Tool|機械|机械|工具機", ["machine_parts", "machine_tools", "hand_tools"]),
    (r"Electr|Opto|Semiconductor|Lighting|電子|电子|光電|照明|半導體", ["electronics", "led", "pcb", "semi"]),
    (r"Textile|Garment|Apparel|Footwear|紡織|纺织|製衣|服饰", ["garments", "fabric", "shoes"]),
    (r"Furniture|Wood|Home|Household|Haushalt|家具|家居", ["furniture", "office_furniture", "household"]),
    (r"Auto|汽車|汽车", ["auto_parts", "brake"]),
    (r"Chem|化", ["DG", "resin", "resin", "plastic_goods"]),
    (r"Plastic|塑膠", ["resin", "plastic_goods"]),
    (r"Hardware|Fastener|Steel|五金|螺絲|鋼鐵|钢铁", ["fasteners", "hand_tools", "steel"]),
    (r"Bicycle|Bike|Fahrrad|自行車", ["bicycles", "bike_parts"]),
    (r"Food|Seafood|Tea|食品|水產|茶", ["canned", "tea", "supplements"]),
    (r"Toy|玩具", ["toys"]),
    (r"Energy|Photovoltaic|能源|光伏", ["pv"]),
    (r"Paper|紙", ["paper"]),
    (r"Biotech|生物", ["supplements"]),
]
ANY_GOODS = ["household", "machine_parts", "electronics", "auto_parts", "furniture", "plastic_goods", "general",
             "garments", "fasteners", "bike_parts"]
SHIPPER_BRANDS = ["永大", "東元", "協易", "台灣精機", "遠東", "聯成", "大同", "建國", "上銀", "華新"]

# --- words ------------------------------------------------------------------------------------------

REMARKS = {
    "zh_Hant": ["以上報價以船公司最終確認艙位為準。", "不含目的港費用及關稅。", "報價有效期內裝船適用，逾期請重新詢價。",
                "如遇船公司 GRI 或旺季附加費調整，依實際收取。", "目的港免費用櫃期 14 天（合計）。"],
    "zh_Hans": ["以上报价以船公司最终确认舱位为准。", "不含目的港费用及关税。", "运价如遇船公司调整，以实际为准。",
                "有效期内装船适用。"],
    "en": ["Subject to space and equipment availability.",
           "Destination charges and duties for the consignee's account.",
           "Rates valid for cargo loaded within the validity.", "Carrier surcharges (GRI/PSS) as charged at the time "
           "of shipment.", "Free time at destination: 14 days combined."],
}
NOTES = ["運價來源：航線部本週價表。", "船公司合約價（NAC），訂艙時報合約號。", "Buy rate from the route department.",
         "客戶同時詢了兩家，要快。", "依主管指示，A 級客戶利潤可壓到每櫃 USD 100。", "Spot rate confirmed by the carrier desk.",
         "客戶習慣月底出貨，注意結關日。", ""]
SELF_SOURCED_NOTES = {"zh_Hant": ["自行詢得{carrier}業務特價，未經航線部。", "自行找到的 NVOCC 價格，船公司為{carrier}。"],
                      "zh_Hans": ["自己找的{carrier}现舱价，未走航线部。", "同行朋友给的{carrier}价格，未经航线部。"],
                      "en": ["Self-sourced: {carrier} rate from a co-loader contact, not the route department."]}
SPECIAL_NOTES = ["已向航線部申請 OOG 報價，等船公司確認裝載方式。", "Route department asked the carrier for a flat-rack "
                 "stowage plan.", "冷凍櫃需先確認插電與溫度設定。", "航線部回覆：需要照片與吊掛點圖面。"]
FOLLOW_UP_NOTES = {
    "zh_Hant": ["已電話聯絡，客戶還在比價。", "客戶說下週確認訂單。", "沒接，已 LINE 留言。", "客戶要求再降 USD 50，回報主管。",
                "客戶確認收到報價，等國外買家回覆。", "已寄信追蹤，客戶說明天回覆。"],
    "zh_Hans": ["已电话联系，客户还在比价。", "客户说在等国外买家确认。", "已发微信提醒，客户明天回复。", "客户嫌价格偏高，在考虑。"],
    "en": ["Called; the customer is still comparing quotes.", "Left a message with the buyer; will call again.",
           "Customer confirmed receipt, waiting for their buyer.",
           "They asked for USD 50 off; checking with the lead."],
}
CLOSING_NOTES = {  # a follow-up overtaken by the outcome
    "won": {"zh_Hant": "客戶已確認訂艙。", "zh_Hans": "客户已确认订舱。", "en": "Customer booked."},
    "lost": {"zh_Hant": "客戶已回覆不採用。", "zh_Hans": "客户已回复不用了。", "en": "Customer declined."},
    "revise": {"zh_Hant": "客戶要求降價，已改版重報。", "zh_Hans": "客户要求降价，已改版重报。",
               "en": "Customer countered; sent a revised quote."},
}
CHANGED_REMARKS = {"zh_Hant": "目的港免用櫃期 21 天。", "zh_Hans": "目的港免用箱期 21 天。",
                   "en": "Free time at destination: 21 days."}
DECLINES = ["同行詢南美西岸散貨，非我司主營航線，婉拒報價。", "同行询价非洲内陆点，我司无资源，婉拒。",
            "Peer asked for a lane we do not work (West Coast South America breakbulk); declined politely.",
            "同行询冷冻柜去加勒比海小港，非主营航线，已婉拒。"]
LOST_REASONS = {
    "zh_Hant": ["客戶選擇其他貨代，對方每櫃便宜 USD 150。", "客戶延後出貨，訂單取消。", "船期不符合客戶需求（要直航）。",
                "國外買家改為指定貨代（FOB 指定貨）。", "報價回覆太慢，客戶已訂別家。", "客戶改走空運。",
                "客戶直接跟船公司訂艙。"],
    "zh_Hans": ["价格没有优势，客户选了船公司直客价。", "客户订单取消。", "客户选择了其他同行，便宜 USD 100/柜。",
                "目的港免箱期太短，客户不接受。"],
    "en": ["Went with a competitor, USD 200/FEU cheaper.", "Buyer nominated their own forwarder.",
           "Carrier rolled the sailing; the customer needed an earlier ETD.", "Order cancelled by the buyer.",
           "Free time too short; a competitor offered 21 days at destination."],
}
APPROVE = ["", "", "OK", "可以，請盡快寄出。", "Approved — good margin.", "OK，記得下午回訪。", "Looks good, send it.",
           "利潤合理，可以。"]
APPROVE_SPECIAL = {
    "below_minimum": ["同意特價，僅限此票。", "A 級客戶，同意降價搶單。", "OK this once — they ship every week.",
                      "同意，但下次請先問航線部。"],
    "self_sourced": ["自行找的運價已跟船公司確認，同意。", "Carrier confirmed the rate in writing; approved.",
                     "同意，請附上船公司確認信。"],
}
# Why the supervisor sends a quote back, in her words; the author's fix follows in Story._fix.
RETURNS = {
    "below_minimum": ["海運費低於底價 USD {gap}，請至少報到底價，或先跟航線部申請特價。",
                      "OFR is USD {gap} below the minimum sell rate. Quote at least the minimum or ask the route "
                      "department for a special rate."],
    "no_local": ["{incoterm} 條件要含起運港 THC 與文件費，請補上。",
                 "{incoterm} terms: add the origin THC and the documentation fee."],
    "validity": ["美線下個月有 GRI，有效期請改為 {days} 天。",
                 "GRI on the transpacific next month: shorten the validity to {days} days."],
    "filing": ["請加 {filing} 申報費（每提單 USD 35）。", "Add the {filing} filing fee (USD 35 per B/L)."],
    "dangerous": ["危險品附加費還沒列，請補上 DG 費用（船公司已確認每櫃 USD {dg}）。",
                  "The DG surcharge is missing: add it (the carrier confirmed USD {dg} per container)."],
    "minimum_in_writing": ["同行客戶請報公司賣價，底價只能口頭說，不可寫在報價單上。"],
    "agent_below_minimum": ["低於底價太多，請再跟客戶談，至少要到 USD {minimum}。"],
}


def _r(value: float, step: float) -> float:
    return round(value / step) * step


def _d(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _line(code, basis, quantity, sell=None, buy=None, minimum=None, currency="USD", payable=False,
          includes="") -> dict:
    return {"charge_code": code, "basis": basis, "quantity": Decimal(str(quantity)),
            "sell_rate": None if sell is None else _d(sell), "buy_rate": None if buy is None else _d(buy),
            "min_sell_rate": None if minimum is None else _d(minimum), "currency": currency,
            "direction": "payable" if payable else "receivable", "includes": includes}


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --- the world and its stories ---------------------------------------------------------------------


class World:
    def __init__(self, seed: int, users: dict[str, User], customers: list[Customer]):
        self.rng = random.Random(f"quotes-{seed}")
        self.users = users
        self.lead = users["lead"]
        self.now = portal_clock.now()
        self.cal = Calendar(self.now, current_app.config["PORTAL_TIMEZONE"])
        self.desk = CardDesk(seed, users["route"], users["lead"], self.cal.today, self.cal)
        quotable = [c for c in customers if c.kind in (Kind.DIRECT, Kind.PEER)]
        self.customers = quotable or list(customers)
        self.book = len(customers)
        self.contacts: dict[int, list[int]] = {}
        for contact in db.session.scalars(sa.select(Contact).order_by(Contact.is_primary.desc(), Contact.id)):
            self.contacts.setdefault(contact.customer_id, []).append(contact.id)

    def pool(self, username: str) -> list[Customer]:
        """Whom each agent quotes: their own book; peer forwarders go to `peer`."""
        owner = self.users[username].id
        if username == "peer":
            pool = [c for c in self.customers if c.kind == Kind.PEER or c.owner_id == owner]
        elif username == "lead":
            pool = [c for c in self.customers if c.owner_id == owner]
        else:
            pool = [c for c in self.customers if c.owner_id == owner and c.kind == Kind.DIRECT]
        return pool or [c for c in self.customers if c.kind == Kind.DIRECT] or self.customers

    def customer(self, rng: random.Random, username: str, peer_only: bool = False) -> Customer:
        pool = self.pool(username)
        if peer_only:
            pool = [c for c in pool if c.kind == Kind.PEER] or [c for c in self.customers if c.kind == Kind.PEER]
        return rng.choices(pool, weights=[{"A": 5, "B": 3, "C": 2, "D": 1}.get(c.grade, 1) for c in pool])[0]


def _transit(long_haul: bool, rng: random.Random) -> int:
    return rng.randint(14, 35) if long_haul else rng.randint(2, 7)


class Story:
    """One inquiry and what came of it. Times are business-minute indexes on the calendar; the
    generator yields the index of its next step and does the step when resumed."""

    def __init__(self, world: World, rng: random.Random, username: str, final: str | None = None,
                 reason: str | None = None, flaw: bool = False, mode: str | None = None, revise: str | None = None,
                 duplicate: bool = False, age: float | None = None, provisional: bool = False,
                 not_worked: bool = False, changed_after: bool = False):
        self.w, self.rng, self.username = world, rng, username
        self.provisional = provisional      # no rate yet: an indicative price (handbook #62)
        self.not_worked = not_worked        # a lane the company does not work: declined (handbook #12)
        self.changed_after = changed_after  # changed after the approval: waits for the supervisor again
        self.user = world.users[username]
        self.final = final                  # stop in this state (None: see it through)
        self.reason = reason                # below_minimum, self_sourced, minimum_in_writing
        self.flaw = flaw                    # returned by the supervisor first
        self.revise = revise                # "counter", "expired", "pending" (a revision waiting now)
        self.duplicate = duplicate          # a repeat order copies the won quote
        if reason == "minimum_in_writing" and not any(c.kind == Kind.PEER for c in world.customers):
            self.reason = reason = "self_sourced"
        self.customer = world.customer(rng, username, peer_only=reason == "minimum_in_writing" or not_worked)
        self.peer = self.customer.kind == Kind.PEER
        if self.peer and reason == "below_minimum":
            # A peer forwarder is quoted the company sell rate; below it is the minimum in writing (R-Q5).
            self.reason = reason = None
            self.flaw = False
        self.locale = self.customer.preferred_locale or "en"
        self.mode = mode or _pick(rng, {Mode.FCL: 76, Mode.LCL: 16, Mode.SPECIAL: 5, Mode.BREAKBULK: 3})
        self.delays = self._delays()
        self.inquiry = self._inquiry(age)

    # --- planning ------------------------------------------------------------------------------------

    def _delays(self) -> dict:
        rng = self.rng
        special = self.mode in (Mode.SPECIAL, Mode.BREAKBULK)
        prep = rng.uniform(15, 60) if special else rng.triangular(0.5, 8, 1.5)
        send = rng.triangular(0.5, 5, 1)
        if special:                       # waits on the route department (R-Q7 tracks it apart)
            send = rng.uniform(240, 1500)
        elif rng.random() < 0.15:         # waiting on the carrier's space or a rate check
            send = rng.uniform(25, 240)
        return {"prep": prep, "submit": rng.uniform(1, 4), "decide": rng.uniform(8, 150), "fix": rng.uniform(10, 90),
                "decide2": rng.uniform(5, 90), "send": send, "after_approval": rng.uniform(1, 20)}

    def _needs_approval(self) -> bool:
        return self.username == "newhire" or self.reason is not None

    def _inquiry(self, age: float | None) -> float:
        """When the inquiry came in: at `age` business minutes ago, or for a story that stops in a
        state of waiting, just long enough ago for its steps to have happened."""
        d, cal, rng = self.delays, self.w.cal, self.rng
        if self.final in (Status.DRAFT, Status.PENDING, Status.RETURNED, Status.APPROVED, Status.SENT,
                          Status.PROVISIONAL, Status.DECLINED):
            steps = {Status.DRAFT: ["prep"], Status.PENDING: ["prep", "submit"],
                     Status.RETURNED: ["prep", "submit", "decide"], Status.DECLINED: ["prep"],
                     Status.APPROVED: ["prep", "submit", "decide"]}.get(self.final)
            if steps is None:    # sent lately, its follow-ups still due
                steps = ["prep", "submit", "decide", "after_approval"] if self._needs_approval() else ["prep", "send"]
            since = rng.uniform(5, 600 if self.mode in (Mode.SPECIAL, Mode.BREAKBULK) else 240)
            if self.final in (Status.SENT, Status.PROVISIONAL):
                since = rng.uniform(60, 600)
            return cal.now_index - since - sum(d[s] for s in steps)
        return cal.now_index - age

    # --- the quote ------------------------------------------------------------------------------------

    def _words(self, goods: tuple) -> str:
        zh_hant, zh_hans, en = goods[:3]
        if self.locale == "zh_Hant" and self.rng.random() < 0.65:
            return zh_hant
        if self.locale == "zh_Hans" and self.rng.random() < 0.65:
            return zh_hans
        return en

    def _lane(self) -> tuple[str, str, str]:
        rng, c = self.rng, self.customer
        country = c.country or "TW"
        if country in ("TW", "CN", "HK"):
            origin = country
        else:
            origin = _pick(rng, {"TW": 45, "CN": 40, "HK": 15})
        address = (c.address or "") if country == origin else ""
        if origin == "TW":
            pol = _pick(rng, next(w for pattern, w in TW_POL if re.search(pattern, address)))
        elif origin == "CN":
            pol = _pick(rng, next(w for pattern, w in CN_POL if re.search(pattern, address)))
        else:
            pol = _pick(rng, {"HKHKG": 80, "CNYTN": 20})
        if country in COUNTRY_PODS and not self.peer and rng.random() < 0.85:
            pod = rng.choice(COUNTRY_PODS[country])
        else:
            weights = dict(TRADE_WEIGHTS["PEER" if self.peer else ("TW" if pol.startswith("TW") else "CN")])
            if pol.startswith("TW"):
                weights.pop("TAIWAN", None)
                weights.setdefault("CHINA", 3)
            else:
                weights.pop("CHINA", None)
                weights.setdefault("TAIWAN", 2)
            if self.mode == Mode.BREAKBULK:
                for short in ("NEASIA", "SEASIA", "CHINA", "TAIWAN"):
                    weights.pop(short, None)
            pod = rng.choice(TRADES[_pick(rng, weights)][0])
        if pod == pol or pod[:2] == pol[:2] or (pod == "HKHKG" and pol.startswith("CN")):
            pod = rng.choice(TRADES["USWC"][0])
        return pol[:2], pol, pod

    def compose(self) -> tuple[dict, list[dict]]:
        """The quote's values and charge lines as the agent first wrote them."""
        rng, c, cal = self.rng, self.customer, self.w.cal
        origin, pol, pod = self._lane()
        trade = TRADE_OF[pod]
        ports, feu, per_cbm, per_ft, carriers, long_haul = TRADES[trade]
        carrier = rng.choice(carriers)
        if trade == "USWC" and pol in ("CNSHA", "CNNGB", "CNXMN") and rng.random() < 0.3:
            carrier = "MATS"
        self.carriers = [carrier] + [c for c in carriers if c != carrier]
        inquiry_at = cal.at(self.inquiry)
        day = cal.local(inquiry_at).date()
        self.day = cal.date_of(self.inquiry + self.delays["prep"])      # the cards the quote is priced from
        validity = rng.choice((7, 10, 14, 14, 14, 21, 30, 30))
        if self.mode in (Mode.SPECIAL, Mode.BREAKBULK):
            validity = rng.choice((14, 21, 30))
        values = {"customer_id": c.id, "contact_id": rng.choice(self.w.contacts.get(c.id, [None])),
                  "inquiry_at": inquiry_at, "mode": self.mode, "pol": pol, "pod": pod, "carrier": carrier,
                  "container_type": None, "container_qty": None, "pieces": None, "gross_weight_kg": None,
                  "volume_cbm": None, "dg_class": None, "un_number": None, "dg_fees_confirmed": False,
                  "shipper": None, "dimensions": None, "ship_date": None, "target_price": None,
                  "incoterm": self._incoterm(), "valid_until": day + timedelta(days=validity), "currency": "USD",
                  "cargo_ready_on": day + timedelta(days=rng.randint(3, 21)) if rng.random() < 0.5 else None,
                  "provisional": self.provisional, "remarks": self._remarks(), "notes": rng.choice(NOTES)}
        self.values = values
        if self.reason == "self_sourced":
            named = next(n for n in CARRIERS if n.code == carrier)
            notes = SELF_SOURCED_NOTES["zh_Hans" if self.username == "peer" else "zh_Hant"] + SELF_SOURCED_NOTES["en"]
            values["notes"] = rng.choice(notes).format(carrier=named.name_zh_hans if self.username == "peer"
                                                       else named.name_zh_hant)
        local = LOCAL[origin]
        self.price = {"trade": trade, "long": long_haul, "local": local, "feu": feu, "cbm": per_cbm, "ft": per_ft,
                      "transit": _transit(long_haul, rng)}
        goods = self._goods()
        if self.mode == Mode.FCL:
            lines = self._fcl(values, goods)
        elif self.mode == Mode.LCL:
            lines = self._lcl(values, goods)
        elif self.mode == Mode.SPECIAL:
            lines = self._special(values, day)
        else:
            lines = self._breakbulk(values, day)
        if self.mode in (Mode.SPECIAL, Mode.BREAKBULK):
            values["notes"] = rng.choice(SPECIAL_NOTES)
        return values, lines

    def _incoterm(self) -> str | None:
        rng = self.rng
        if self.peer:
            return rng.choice((None, None, "FOB", "CFR"))
        if (self.customer.country or "TW") in ("TW", "CN", "HK"):
            return _pick(rng, {"CIF": 20, "CFR": 25, "FOB": 25, "DAP": 10, "DDP": 5, "EXW": 5, "FCA": 5, "CIP": 5})
        return _pick(rng, {"FOB": 50, "EXW": 25, "FCA": 25})

    def _remarks(self) -> str:
        options = REMARKS.get(self.locale, REMARKS["en"])
        return " ".join(self.rng.sample(options, k=self.rng.choice((1, 1, 2))))

    def _goods(self):
        rng = self.rng
        name = f"{self.customer.name_en or ''} {self.customer.name_zh or ''}"
        keys = next((k for pattern, k in INDUSTRY if re.search(pattern, name)), ANY_GOODS)
        key = rng.choice(keys)
        if self.mode == Mode.FCL and (key == "DG" or rng.random() < 0.015):
            return rng.choice(DANGEROUS)
        return GOODS[key if key in GOODS else "general"]

    def _rates(self, low: float, high: float, step: float, floor: float, equipment: str,
               charge: str = "OFR") -> tuple[float, float, float]:
        """The customer's sell rate, the buy rate and the minimum sell rate: the card's buy and minimum
        (the proposal sets a new lane's level), and R-Q5: a peer forwarder gets the company sell
        rate, a direct customer a margin of its own above it."""
        rng = self.rng
        company = _r(rng.uniform(low, high), step)
        margin = max(_r(company * rng.uniform(0.06, 0.13), step), floor)
        buy = company - margin
        minimum = min(buy + max(_r(margin * rng.uniform(0.3, 0.6), step), step), company - step)
        card = self._card(equipment, charge, (company, buy, minimum), step)
        if card is not None:
            company, buy, minimum = card
        self.price["company"] = company
        return self._sell(company, step), buy, minimum

    def _sell(self, company: float, step: float) -> float:
        if self.peer:
            return company
        extra = {"A": (0, 0.01), "B": (0, 0.025), "C": (0.01, 0.05), "D": (0.025, 0.08)}[self.customer.grade]
        return company + _r(company * self.rng.uniform(*extra), step)

    def _card(self, equipment: str, charge: str, proposal: tuple, step: float):
        """The card the quote prices from, on the story's carrier or another of the trade when the
        route department did not renew it; a self-sourced story takes a carrier with no card."""
        v, desk = self.values, self.w.desk
        if self.reason == "self_sourced":
            candidates = self.carriers + [c.code for c in CARRIERS if c.code not in self.carriers]
            v["carrier"] = next((c for c in candidates if not desk.has_card(c, v["pol"], v["pod"], equipment, charge,
                                                                             self.day)), v["carrier"])
            return None
        for carrier in self.carriers:
            card = desk.rates(carrier, v["pol"], v["pod"], equipment, charge, self.day, proposal, step,
                              self.price["transit"])
            if card is not None:
                v["carrier"] = carrier
                return card
        return None

    def _feu(self, size: str) -> tuple[float, float, float, float]:
        """Ocean freight for one container of this size: sell, buy, minimum, and the 40' factor."""
        low, high = self.price["feu"]
        factor = {"20": self.rng.uniform(0.55, 0.72), "40": 1.0, "HQ": 1.0}[size]
        ctype = self.values["container_type"]
        sell, buy, minimum = self._rates(low * factor * (1.03 if size == "HQ" else 1), high * factor * (
            1.03 if size == "HQ" else 1), 5, 20 if factor < 1 else 25, ctype)
        self.price["ofr"] = (sell, buy, minimum)
        return sell, buy, minimum, factor

    def _below(self, sell: float, buy: float, minimum: float) -> float:
        """A sell rate under the minimum, not under what it costs."""
        step = _step(minimum)
        return max(buy, min(_r(buy + (minimum - buy) * self.rng.uniform(0.1, 0.8), step), minimum - step))

    def _freight_line(self, basis: str, qty, sell, buy, minimum) -> dict:
        if self.reason == "self_sourced":
            buy, minimum = _r(buy * self.rng.uniform(0.88, 0.96), 5), None   # no company floor for that channel
        if self.reason == "below_minimum":
            self.price["planned_sell"] = sell
            sell = self._below(sell, buy, minimum)
        if self.reason == "minimum_in_writing":
            self.price["planned_sell"] = sell
            sell = minimum
        return _line("OFR", basis, qty, sell, buy, minimum)

    def _origin_charges(self, per_container: int, size: str, bl: bool = True) -> list[dict]:
        rng = self.rng
        cur, thc20, thc40, doc, seal, _cfs, _t20, _t40, cus, _fx = self.price["local"]
        lines = []
        thc = thc20 if size == "20" else thc40
        lines.append(_line("THC-O", "container", per_container, thc, thc, None, cur))
        if bl:
            fee = _r(rng.uniform(*doc), 50 if cur == "TWD" else 10)
            lines.append(_line("DOC", "bl", 1, fee, _r(fee * 0.6, 10), None, cur))
        if rng.random() < 0.6:
            lines.append(_line("SEAL", "container", per_container, seal, _r(seal * 0.7, 5), None, cur))
        if cur == "TWD" and rng.random() < 0.2:
            lines.append(_line("VGM", "container", per_container, 200, 150, None, cur))
        if cur == "TWD" and rng.random() < 0.15:
            fee = _r(rng.uniform(*cus), 100)
            lines.append(_line("CUS", "bl", 1, fee, _r(fee * 0.6, 50), None, cur))
        return lines

    def _filing(self, pod: str) -> dict | None:
        country = pod[:2]
        code = "AMS" if country == "US" else "ENS" if country in EU else "AFR" if country == "JP" \
            else "CMF" if country == "CN" else None
        if code is None:
            return None
        sell = {"AMS": 35, "ENS": 35, "AFR": 30, "CMF": 25}[code]
        return _line(code, "bl", 1, sell, sell - self.rng.choice((5, 10)), None)

    def _fcl(self, values: dict, goods: tuple) -> list[dict]:
        rng, price = self.rng, self.price
        density = goods[-1]
        ctype = _pick(rng, {"H": {"20GP": 60, "40GP": 25, "40HQ": 15}, "M": {"20GP": 30, "40GP": 25, "40HQ": 45},
                            "L": {"20GP": 15, "40GP": 20, "40HQ": 65}}[density])
        qty = _pick(rng, {1: 38, 2: 25, 3: 15, 4: 10, 5: 12})
        size = "20" if ctype.startswith("20") else "HQ" if ctype == "40HQ" else "40"
        per = {"H": (17000, 24000) if size == "20" else (20000, 26500),
               "M": (9000, 17000) if size == "20" else (10000, 20000),
               "L": (3500, 9000) if size == "20" else (5000, 12000)}[density]
        values.update(container_type=ctype, container_qty=qty, commodity=self._words(goods),
                      gross_weight_kg=Decimal(str(int(_r(rng.uniform(*per), 50)) * qty)))
        if len(goods) == 6:            # dangerous goods
            values.update(dg_class=goods[3], un_number=goods[4], dg_fees_confirmed=True)
        sell, buy, minimum, factor = self._feu(size)
        long_haul = price["long"]
        lines = []
        all_in = not self.reason and rng.random() < 0.15
        baf = 0
        if rng.random() < (0.45 if long_haul else 0.35):
            baf = _r((rng.uniform(180, 480) if long_haul else rng.uniform(60, 160)) * (0.5 if size == "20" else 1), 5)
        cur, thc20, thc40, *_rest, fx = price["local"]
        if all_in:
            thc_usd = _r((thc20 if size == "20" else thc40) / fx, 5)
            includes = ["OFR"] + (["BAF"] if baf else []) + ["THC-O", "SEAL"]
            company = self.price["company"]
            proposal = (_r(company + baf + thc_usd + 10, 5), _r(buy + baf + thc_usd, 5),
                        _r(minimum + baf + thc_usd + 5, 5))
            all_in_company, all_in_buy, all_in_minimum = self._card(values["container_type"], "ALLIN", proposal, 5) \
                or proposal
            lines.append(_line("ALLIN", "container", qty, _r(self._sell(all_in_company, 5), 5), all_in_buy,
                               all_in_minimum, includes=",".join(includes)))
        else:
            lines.append(self._freight_line("container", qty, sell, buy, minimum))
            if baf:
                lines.append(_line("BAF", "container", qty, baf, baf))
        if not long_haul and rng.random() < 0.3:
            lss = _r(rng.uniform(40, 90) * (0.5 if size == "20" else 1), 5)
            lines.append(_line("LSS", "container", qty, lss, lss))
        if price["trade"] in ("USWC", "USEC") and rng.random() < 0.2:
            pss = _r(rng.uniform(300, 800) * (0.8 if size == "20" else 1), 50)
            lines.append(_line("PSS", "container", qty, pss, pss))
        if price["trade"] in ("USWC", "USEC", "NEUR", "MED") and rng.random() < 0.4:
            lines.append(_line("ISPS", "container", qty, 15, 12))
        if values["dg_class"]:
            dg = _r(rng.uniform(150, 450), 25)
            self.price["dg"] = dg
            lines.append(_line("DG", "container", qty, dg, dg - rng.choice((0, 25, 50))))
        if all_in:
            fee = _r(rng.uniform(*price["local"][3]), 50 if cur == "TWD" else 10)
            lines.append(_line("DOC", "bl", 1, fee, _r(fee * 0.6, 10), None, cur))
        elif rng.random() < 0.85:
            lines += self._origin_charges(qty, size)
        filing = self._filing(values["pod"])
        if filing:
            lines.append(filing)
        if values["incoterm"] in ("DAP", "DDP"):
            thd = _r(rng.uniform(300, 550) * (0.7 if size == "20" else 1), 5)
            lines.append(_line("THC-D", "container", qty, thd + 20, thd))
        if values["incoterm"] in ("CIF", "CIP") and rng.random() < 0.7:
            premium = _r(rng.uniform(35, 150), 5)
            lines.append(_line("INS", "lump_sum", 1, premium, _r(premium * 0.65, 1)))
        if rng.random() < 0.25:         # trucking to the port, paid to the trucker
            t20, t40 = price["local"][6], price["local"][7]
            cost = _r(rng.uniform(*(t20 if size == "20" else t40)), 100 if cur == "TWD" else 50)
            if not all_in:
                lines.append(_line("TRK", "container", qty, _r(cost * rng.uniform(1.1, 1.2), 100), None, None, cur))
            lines.append(_line("TRK", "container", qty, None, cost, None, cur, payable=True))
        return lines

    def _lcl(self, values: dict, goods: tuple) -> list[dict]:
        rng, price = self.rng, self.price
        density = {"H": (400, 900), "M": (250, 450), "L": (120, 250)}[goods[-1]]
        cbm = round(rng.uniform(1.2, 15), 1)
        weight = _r(cbm * rng.uniform(*density), 5)
        pieces = {"H": rng.randint(2, 10), "M": rng.choice((rng.randint(2, 12), rng.randint(20, 150))),
                  "L": rng.randint(20, 300)}[goods[-1]]
        values.update(pieces=pieces, gross_weight_kg=Decimal(str(int(weight))), volume_cbm=Decimal(str(cbm)),
                      commodity=self._words(goods))
        revenue = max(cbm, round(weight / 1000, 3), 1)
        sell, buy, minimum = self._rates(*price["cbm"], 1, 3, "cbm")
        self.price["ofr"] = (sell, buy, minimum)
        lines = [self._freight_line("cbm", revenue, sell, buy, minimum)]
        cur, *_rest = price["local"]
        cfs = _r(rng.uniform(*price["local"][5]), 10 if cur == "TWD" else 5)
        lines.append(_line("WH", "cbm", revenue, cfs, _r(cfs * 0.8, 5), None, cur))   # the CFS charge
        fee = _r(rng.uniform(*price["local"][3]), 50 if cur == "TWD" else 10)
        lines.append(_line("DOC", "bl", 1, fee, _r(fee * 0.6, 10), None, cur))
        filing = self._filing(values["pod"])
        if filing:
            lines.append(filing)
        if rng.random() < 0.2:          # pick-up at the factory, paid to the trucker
            cost = _r(rng.uniform(2500, 5000) if cur == "TWD" else rng.uniform(400, 900), 100 if cur == "TWD" else 50)
            lines.append(_line("TRK", "lump_sum", 1, cost + (500 if cur == "TWD" else 100), None, None, cur))
            lines.append(_line("TRK", "lump_sum", 1, None, cost, None, cur, payable=True))
        return lines

    def _shipper(self) -> str:
        c = self.customer
        if not self.peer:
            return c.name_zh or c.name_en
        brand = self.rng.choice(SHIPPER_BRANDS)
        return f"{brand}{self.rng.choice(['機械', '重工', '精機', '鋼鐵'])}股份有限公司"

    def _special(self, values: dict, day: date) -> list[dict]:
        rng, price = self.rng, self.price
        hant, hans, en, ctype, dims, weight, reefer = rng.choice(SPECIAL)
        qty = rng.choice((1, 1, 1, 2, 3)) if not reefer else rng.choice((1, 2, 3, 4))
        values.update(container_type=ctype, container_qty=qty, commodity=self._words((hant, hans, en)),
                      gross_weight_kg=Decimal(str(int(_r(rng.uniform(*weight), 50)) * qty)), shipper=self._shipper(),
                      dimensions=dims, ship_date=day + timedelta(days=rng.randint(10, 40)))
        size = "20" if ctype.startswith("20") else "40"
        low, high = price["feu"]
        scale = (rng.uniform(1.5, 1.8) if reefer else rng.uniform(1.8, 2.6)) * (0.6 if size == "20" else 1)
        sell, buy, minimum = self._rates(low * scale, high * scale, 10, 100, ctype)
        self.price["ofr"] = (sell, buy, minimum)
        values["target_price"] = _d(_r(sell * rng.uniform(0.82, 0.98), 50))
        lines = [self._freight_line("container", qty, sell, buy, minimum)]
        if reefer and rng.random() < 0.5:
            reef = _r(rng.uniform(150, 350), 25)
            lines.append(_line("REEF", "container", qty, reef, reef))
        if not reefer:
            oog = _r(rng.uniform(300, 1200), 50)
            lines.append(_line("OOG", "container", qty, oog, _r(oog * 0.8, 10)))
        lines += self._origin_charges(qty, size)
        filing = self._filing(values["pod"])
        if filing:
            lines.append(filing)
        return lines

    def _breakbulk(self, values: dict, day: date) -> list[dict]:
        rng, price = self.rng, self.price
        hant, hans, en, dims, pieces, tons, cbm = rng.choice(BREAKBULK)
        weight = round(rng.uniform(*tons), 1)
        revenue = max(weight, cbm)
        values.update(pieces=pieces, gross_weight_kg=Decimal(str(int(weight * 1000))),
                      volume_cbm=Decimal(str(cbm)), commodity=self._words((hant, hans, en)), shipper=self._shipper(),
                      dimensions=dims, ship_date=day + timedelta(days=rng.randint(14, 45)))
        sell, buy, minimum = self._rates(*price["ft"], 1, 5, "ton")
        self.price["ofr"] = (sell, buy, minimum)
        values["target_price"] = _d(_r(sell * rng.uniform(0.85, 0.97), 1))
        lines = [self._freight_line("ton", revenue, sell, buy, minimum)]
        cur, *_rest = price["local"]
        fee = _r(rng.uniform(*price["local"][3]), 50 if cur == "TWD" else 10)
        lines.append(_line("DOC", "bl", 1, fee, _r(fee * 0.6, 10), None, cur))
        cost = _r(rng.uniform(35000, 90000) if cur == "TWD" else rng.uniform(8000, 20000), 1000)
        lines.append(_line("TRK", "lump_sum", 1, _r(cost * 1.15, 1000), None, None, cur))
        lines.append(_line("TRK", "lump_sum", 1, None, cost, None, cur, payable=True))
        if values["incoterm"] in ("CIF", "CIP"):
            premium = _r(rng.uniform(300, 900), 10)
            lines.append(_line("INS", "lump_sum", 1, premium, _r(premium * 0.65, 1)))
        return lines

    # --- flaws the supervisor sends back, and their fixes ---------------------------------------------

    def _flaws(self, values: dict, lines: list[dict]) -> list[str]:
        codes = {line["charge_code"] for line in lines}
        options = ["below_minimum"]
        if "THC-O" in codes and "DOC" in codes and values["incoterm"] in ("CIF", "CFR", "DAP", "DDP", "CIP"):
            options.append("no_local")
        if values["pod"][:2] in ("US", "CA") and values["mode"] == Mode.FCL:
            options.append("validity")
        if codes & {"AMS", "ENS"}:
            options.append("filing")
        if "DG" in codes:
            options += ["dangerous", "dangerous"]
        return options

    def _spoil(self, values: dict, lines: list[dict]) -> tuple[dict, list[dict]]:
        """The new hire's first try, with the mistake the supervisor will point out."""
        rng = self.rng
        self.fault = rng.choice(self._flaws(values, lines))
        self.good = (dict(values), [dict(line) for line in lines])
        words = {}
        if self.fault == "below_minimum":
            ofr = next(line for line in lines if line["charge_code"] in ("OFR", "ALLIN"))
            sell, buy, minimum = (float(ofr[k]) for k in ("sell_rate", "buy_rate", "min_sell_rate"))
            low = self._below(sell, buy, minimum)
            ofr["sell_rate"] = _d(low)
            words["gap"] = f"{minimum - low:,.0f}"
        elif self.fault == "no_local":
            lines = [line for line in lines if line["charge_code"] not in ("THC-O", "DOC", "SEAL", "VGM")]
            words["incoterm"] = values["incoterm"]
        elif self.fault == "validity":
            days = rng.choice((7, 14))
            self.good[0]["valid_until"] = values["inquiry_at"].date() + timedelta(days=days)
            values["valid_until"] = values["inquiry_at"].date() + timedelta(days=30)
            words["days"] = days
        elif self.fault == "filing":
            dropped = next(line for line in lines if line["charge_code"] in ("AMS", "ENS"))
            lines = [line for line in lines if line is not dropped]
            words["filing"] = dropped["charge_code"]
        elif self.fault == "dangerous":
            dropped = next(line for line in lines if line["charge_code"] == "DG")
            lines = [line for line in lines if line is not dropped]
            words["dg"] = f"{dropped['sell_rate']:,.0f}"
        english = self.user.locale == "en" and rng.random() < 0.5
        texts = RETURNS[self.fault]
        self.comment = (texts[-1] if english else texts[0]).format(**words)
        return values, lines

    # --- the story ----------------------------------------------------------------------------------

    def run(self):
        d = self.delays
        self.fault = None
        values, lines = self.compose()
        if self.username == "newhire" and self.flaw:
            values, lines = self._spoil(values, lines)
        elif self.flaw and self.reason == "below_minimum":
            ofr = next(line for line in lines if line["charge_code"] == "OFR")
            self.comment = RETURNS["agent_below_minimum"][0].format(minimum=f"{ofr['min_sell_rate']:,.0f}")
        elif self.flaw and self.reason == "minimum_in_writing":
            self.comment = RETURNS["minimum_in_writing"][0]
        if self.not_worked:
            yield from self._decline(values)
            return
        if rules.is_special_cargo(values):
            quote = yield from self._hold(values)
            t = self.inquiry + d["prep"]
            yield t
            self._ensure_cards(values, lines, self.day)
            rules.update_quote(self.user, quote, quote.version, values, lines)
        else:
            t = self.inquiry + d["prep"]
            yield t
            quote = rules.create_quote(self.user, values, lines)
        if self.final == Status.DRAFT:
            return
        t = yield from self._release(quote, t, first=True)
        if t is None:
            return
        yield from self._sent(quote, t)

    def _hold(self, values: dict):
        """R-Q7: special cargo is written down at once, answered "received, pricing with the carrier"
        within minutes (now and then late), and priced when the route department has the rate."""
        rng = self.rng
        t = self.inquiry + rng.uniform(0.5, 1.5)
        yield t
        quote = rules.create_quote(self.user, values, [])
        t += rng.uniform(6, 18) if rng.random() < 0.1 else rng.uniform(0.5, 2.5)
        yield t
        rules.send_holding_reply(self.user, quote, quote.version)
        return quote

    def _decline(self, values: dict):
        """Handbook #12: a peer forwarder asks for a lane the company does not work; written down and
        politely declined within minutes."""
        rng = self.rng
        t = self.inquiry + rng.uniform(0.5, 2)
        yield t
        quote = rules.create_quote(self.user, values, [])
        yield t + rng.uniform(0.5, 2.5)
        rules.decline(self.user, quote, rng.choice(DECLINES), quote.version)

    def _ensure_cards(self, values: dict, lines: list[dict], day: date) -> dict:
        """The cards of the day the quote is priced on, as the route department keeps them (written
        now if they were not yet); {charge: (company, buy, minimum)} of its freight lines."""
        found = {}
        if self.reason == "self_sourced":
            return found
        for line in lines:
            if line["charge_code"] not in ("OFR", "ALLIN"):
                continue
            equipment = values["container_type"] if line["basis"] == "container" else line["basis"]
            sell = float(line.get("company_sell_rate") or line["sell_rate"])
            buy = float(line["buy_rate"] or sell * 0.9)
            minimum = float(line.get("min_sell_rate") or (buy + sell) / 2)
            step = _step(sell)
            card = self.w.desk.rates(values["carrier"], values["pol"], values["pod"], equipment, line["charge_code"],
                                     day, (sell, buy, minimum), step, None)
            if card is not None:
                found[line["charge_code"]] = card
        return found

    def _today(self) -> date:
        return self.w.cal.local(portal_clock.now()).date()

    def _release(self, quote: Quote, t: float, first: bool = False):
        """Through approval when the quote needs it (R-Q1, R-Q5, R-Q6); the index it may go out at,
        or None when the story stops before."""
        d, rng, lead = self.delays, self.rng, self.w.lead
        if not quote.approval_reasons:
            return t + (d["send"] if first else rng.uniform(2, 15))
        t += d["submit"]
        yield t
        rules.submit_for_approval(self.user, quote)
        if self.final == Status.PENDING or (not first and self.revise == "pending"):
            return None
        t += d["decide"]
        yield t
        if first and self.flaw:
            rules.decide(lead, quote, False, self.comment, quote.version)
            if self.final == Status.RETURNED:
                return None
            t += d["fix"]
            yield t
            self._fix(quote)
            rules.submit_for_approval(self.user, quote)
            t += d["decide2"]
            yield t
            rules.decide(lead, quote, True, rng.choice(APPROVE), quote.version)
        else:
            reason = next((r for r in APPROVE_SPECIAL if r in quote.approval_reasons), None)
            comment = rng.choice(APPROVE_SPECIAL[reason]) if reason and self.username != "newhire" \
                else rng.choice(APPROVE)
            rules.decide(lead, quote, True, comment, quote.version)
        if first and self.final == Status.APPROVED:
            if self.changed_after:
                # The customer asked for a longer validity and a free-time note after the approval:
                # the change voids it (R-Q1), and the supervisor sees what changed.
                yield t + min(rng.uniform(10, 40), max(self.w.cal.now_index - t - 1, 0.5))
                values, lines = _values(quote), _price_lines(quote)
                values["valid_until"] += timedelta(days=7)
                values["remarks"] = f"{values['remarks']} {CHANGED_REMARKS.get(self.locale, CHANGED_REMARKS['en'])}"
                rules.update_quote(self.user, quote, quote.version, values, lines)
            return None
        return t + d["after_approval"] + (d["send"] if quote.mode not in GENERAL_CARGO else 0)

    def _fix(self, quote: Quote) -> None:
        """What the author changes after the supervisor's comment."""
        if self.username == "newhire":
            values, lines = self.good
        else:      # an agent below the minimum talks the customer up, not all the way
            values, lines = _values(quote), _price_lines(quote)
            ofr = next(line for line in lines if line["charge_code"] == "OFR")
            closer = float(ofr["min_sell_rate"]) - self.rng.choice((5, 10, 15, 20))
            ofr["sell_rate"] = _d(max(float(ofr["sell_rate"]), closer))
        self._ensure_cards(values, lines, self._today())
        rules.update_quote(self.user, quote, quote.version, values, lines)

    def _sent(self, quote: Quote, t: float):
        """Send, follow up, and see the outcome: won, lost, expired, a revision, a repeat order."""
        cal, rng = self.w.cal, self.rng
        yield t
        follow_ups = rules.send(self.user, quote, quote.version)
        sent = t
        end = cal.day_end(quote.valid_until)
        outcome, at = "open", None
        if self.final in (Status.SENT, Status.PROVISIONAL):
            pass                              # its follow-ups are due now
        elif self.revise in ("counter", "pending") and end - sent > 400:
            outcome, at = "revise", sent + rng.uniform(300, min(end - sent - 60, 3 * DAY))
            if self.revise == "pending":
                at = max(cal.now_index - rng.uniform(20, 150), sent + 60)
        elif quote.valid_until < cal.today:
            outcome = _pick(rng, {"won": 40, "lost": 33, "expired": 27})
            if self.revise == "expired":
                outcome = "expired"
        else:
            outcome = _pick(rng, {"won": 25, "lost": 15, "open": 60})
        if outcome in ("won", "lost"):
            room = end - sent - 30
            if room < 60:
                outcome = "open" if quote.valid_until >= cal.today else "expired"
            else:
                at = sent + 30 + rng.triangular(0, min(room, 6 * DAY), 0)
        steps = []
        for follow_up in follow_ups:
            due = cal.index(follow_up.due_at)
            if self.username == "agent" and cal.local(follow_up.due_at).date() >= cal.last_workday:
                continue          # still on `agent`'s list today
            done = due + rng.uniform(0, 90)
            if at is None or done < at:
                steps.append((done, "follow_up", follow_up))
        if at is not None:
            steps.append((at, outcome, None))
        steps.sort(key=lambda s: s[0])
        closing = CLOSING_NOTES.get(outcome, {})
        language = self._language()
        for when, what, follow_up in steps:
            yield when
            if what == "follow_up":
                rules.finish_follow_up(self.user, follow_up, rng.choice(FOLLOW_UP_NOTES[language]))
                continue
            for left in follow_ups:       # overtaken by the outcome
                if left.done_at is None:
                    rules.finish_follow_up(self.user, left, closing.get(language, ""))
            if what == "won" and quote.status == Status.SENT:
                rules.mark_won(self.user, quote, quote.version)
                if self.duplicate:
                    yield from self._repeat(quote, when)
            elif what == "lost" and quote.status == Status.SENT:
                rules.mark_lost(self.user, quote, rng.choice(LOST_REASONS[language]), quote.version)
            elif what == "revise":
                yield from self._revision(quote, when)
        if outcome == "expired" and self.revise == "expired":
            # The customer comes back after the validity: a new revision at today's rates.
            back = end + rng.uniform(1, 8) * DAY
            yield back
            if quote.status == Status.EXPIRED and quote.is_current:
                yield from self._revision(quote, back, cheaper=False)

    def _language(self) -> str:
        if self.username == "peer":
            return "zh_Hans" if self.rng.random() < 0.7 else "en"
        if self.username == "newhire":
            return "en" if self.rng.random() < 0.5 else "zh_Hant"
        return "zh_Hant" if self.rng.random() < 0.8 else "en"

    def _revision(self, quote: Quote, t: float, cheaper: bool = True):
        """R-Q9: the customer counters (or comes back); the agent makes revision n+1 and sends it."""
        rng, cal = self.rng, self.w.cal
        copy = rules.revise(self.user, quote)
        values, lines = _values(copy), _price_lines(copy)
        values["inquiry_at"] = cal.at(t - rng.uniform(2, 20))
        day = cal.local(values["inquiry_at"]).date()
        values["valid_until"] = max(day + timedelta(days=rng.choice((7, 14, 14, 21))), values["valid_until"]) \
            if cheaper else day + timedelta(days=rng.choice((14, 21, 30)))
        main = next(line for line in lines if line["charge_code"] in ("OFR", "ALLIN"))
        sell = float(main["sell_rate"])
        cards = self._ensure_cards(values, lines, day)
        if self.peer and main["charge_code"] in cards:
            # A peer forwarder is quoted the company sell rate, never lower in writing (R-Q5).
            main["sell_rate"] = _d(cards[main["charge_code"]][0])
            note = f"Rev {copy.revision}: 依新價表更新，同行報公司賣價。"
        elif cheaper:
            step = _step(sell)
            new = max(_r(sell - max(sell * rng.uniform(0.02, 0.06), step), step), float(main["buy_rate"]) + step)
            main["sell_rate"] = _d(new)
            note = f"Rev {copy.revision}: 客戶回價，海運費由 {sell:,.0f} 降為 {new:,.0f}。"
        else:
            _scale(main, rng.uniform(1.03, 1.12))
            note = f"Rev {copy.revision}: 報價過期後客戶再詢，依新價表調整。"
        values["notes"] = f"{values['notes']}\n{note}".strip()
        t += rng.uniform(3, 15)
        yield t
        rules.update_quote(self.user, copy, copy.version, values, lines)
        first_final, self.final, self.flaw = self.final, None, False
        sent = yield from self._release(copy, t)
        self.final = first_final
        if sent is None:
            return
        self.revise = None
        yield from self._sent(copy, sent)

    def _repeat(self, quote: Quote, t: float):
        """A repeat order weeks later: the won quote is duplicated and sent at the day's rates."""
        rng, cal = self.rng, self.w.cal
        when = t + rng.uniform(8, 30) * DAY
        yield when
        copy = rules.duplicate(self.user, quote)
        values, lines = _values(copy), _price_lines(copy)
        values["inquiry_at"] = cal.at(when - rng.uniform(2, 30))
        day = cal.local(values["inquiry_at"]).date()
        values["valid_until"] = day + timedelta(days=rng.choice((7, 14, 14, 21, 30)))
        values["cargo_ready_on"] = day + timedelta(days=rng.randint(5, 20)) if values["cargo_ready_on"] else None
        if values["ship_date"]:
            values["ship_date"] = day + timedelta(days=rng.randint(10, 30))
        factor = rng.uniform(0.94, 1.08)
        for line in lines:
            if line["charge_code"] in ("OFR", "ALLIN", "BAF"):
                _scale(line, factor)
        cards = self._ensure_cards(values, lines, day)
        for line in lines:
            if self.peer and line["charge_code"] in cards:
                line["sell_rate"] = _d(cards[line["charge_code"]][0])    # the company sell rate (R-Q5)
        when += rng.uniform(2, 10)
        yield when
        rules.update_quote(self.user, copy, copy.version, values, lines)
        self.duplicate, self.flaw, self.revise = False, False, None
        sent = yield from self._release(copy, when)
        if sent is not None:
            yield from self._sent(copy, sent)


def _step(rate: float) -> int:
    return 5 if rate > 200 else 1


def _scale(line: dict, factor: float) -> None:
    """The day's rates: a charge line moved by factor, buy <= minimum < sell kept."""
    for key in ("sell_rate", "buy_rate", "min_sell_rate"):
        if line[key] is not None:
            line[key] = _d(_r(float(line[key]) * factor, _step(float(line[key]))))
    step = Decimal(_step(float(line["sell_rate"])))
    if line["buy_rate"] is not None and line["min_sell_rate"] is not None:
        line["min_sell_rate"] = max(line["min_sell_rate"], line["buy_rate"] + step)
    if line["min_sell_rate"] is not None and line["sell_rate"] <= line["min_sell_rate"]:
        line["sell_rate"] = line["min_sell_rate"] + step


def _values(quote: Quote) -> dict:
    return {f: getattr(quote, f) for f in rules.QUOTE_FIELDS}


def _price_lines(quote: Quote) -> list[dict]:
    return [{f: getattr(line, f) for f in rules.PRICE_FIELDS} for line in quote.lines]


# --- planning and running -------------------------------------------------------------------------------


def _plan(world: World) -> list[Story]:
    """Who quotes whom, and how each story ends: a few wait in some state right now, the rest
    are spread over the last ninety days (the new hire's over her two months)."""
    rng, cal = world.rng, world.cal
    stories = []

    def story(username, **kwargs):
        stories.append(Story(world, random.Random(rng.getrandbits(64)), username, **kwargs))

    # Right now.
    for _ in range(5):
        story("newhire", final=Status.PENDING)
    for _ in range(3):
        story("newhire", final=Status.RETURNED, flaw=True)
    for _ in range(2):
        story("newhire", final=Status.APPROVED)
    story("newhire", final=Status.APPROVED, changed_after=True)
    story("newhire", final=Status.DRAFT)
    story("agent", final=Status.PENDING, reason="below_minimum")
    story("agent", final=Status.PENDING, reason="self_sourced")
    story("agent", final=Status.RETURNED, reason="below_minimum", flaw=True)
    story("agent", final=Status.APPROVED, reason="below_minimum")
    story("agent", final=Status.DRAFT, mode=Mode.SPECIAL)
    story("agent", final=Status.DRAFT, mode=Mode.LCL)
    story("peer", final=Status.PENDING, reason="self_sourced")
    story("peer", final=Status.PENDING, reason="minimum_in_writing")
    story("peer", final=Status.RETURNED, reason="minimum_in_writing", flaw=True)
    story("peer", final=Status.DRAFT, mode=Mode.BREAKBULK)
    for _ in range(3):
        story("agent", final=Status.SENT, mode=Mode.FCL)
    # No rate yet: a provisional quote out this morning, and one confirmed by a revision (handbook #62).
    story("agent", final=Status.PROVISIONAL, mode=Mode.FCL, provisional=True)
    story("agent", provisional=True, revise="counter", mode=Mode.FCL, age=rng.uniform(4, 7) * DAY)
    # A peer forwarder's inquiry on a lane the company does not work, declined (handbook #12).
    story("peer", final=Status.DECLINED, mode=Mode.FCL, not_worked=True)
    # Revisions that must be there: one of the new hire's waits for approval, one of `agent`'s went out.
    story("newhire", revise="pending", mode=Mode.FCL, age=rng.uniform(3, 5) * DAY)
    story("agent", revise="counter", mode=Mode.FCL, age=rng.uniform(6, 9) * DAY)

    # The last ninety days: about 1.4 inquiries per customer.
    total = min(TOTAL, max(FEWEST, TOTAL * world.book // 200))
    made = {u: sum(s.username == u for s in stories) for u in ("newhire", "peer", "lead", "agent")}
    left = [u for u, n in PER_AGENT.items() for _ in range(max(round(n * total / TOTAL) - made[u], 3))]
    left += ["agent"] * max(total - len(stories) - len(left), 0)
    rng.shuffle(left)
    span, new_hire_span = cal.days_back(DAYS), cal.days_back(NEW_HIRE_DAYS)
    for username in left:
        mode = _pick(rng, {Mode.FCL: 76, Mode.LCL: 16, Mode.SPECIAL: 5, Mode.BREAKBULK: 3})
        shortest = 4 * DAY if mode in (Mode.SPECIAL, Mode.BREAKBULK) else DAY
        longest = new_hire_span if username == "newhire" else span
        reason = None
        if username in ("agent", "peer"):
            reason = _pick(rng, {None: 89, "below_minimum": 6, "self_sourced": 5})
        flaw = (username == "newhire" and rng.random() < 0.3) or (reason == "below_minimum" and rng.random() < 0.25)
        revise = _pick(rng, {None: 93, "counter": 5, "expired": 2}) if username != "lead" else None
        story(username, mode=mode, reason=reason, flaw=flaw, revise=revise, duplicate=rng.random() < 0.12,
              age=rng.uniform(shortest, longest))
    return stories


MAIN_POLS = ("TWKHH", "TWKEL", "TWTXG", "CNSHA", "CNNGB", "HKHKG")
MAIN_PODS = ("USLAX", "USLGB", "USNYC", "NLRTM", "DEHAM", "JPTYO", "SGSIN", "VNSGN", "AUSYD")


def _main_lanes() -> list[tuple]:
    """The company's main lanes and their usual carriers (the first three of the trade)."""
    lanes = []
    for pol in MAIN_POLS:
        for pod in MAIN_PODS:
            _pods, feu, _cbm, _ft, carriers, long_haul = TRADES[TRADE_OF[pod]]
            lanes.append((pol, pod, carriers[:3], feu, long_haul))
    return lanes


def _ticks(world: World):
    """The scheduled expiry job, once a day early in the morning: overdue sent quotes expire (R-Q8)."""
    cal = world.cal
    day = cal.date_of(cal.now_index - cal.days_back(DAYS))
    while day <= cal.today:
        if day.weekday() < 5:
            yield cal.index(cal.moment(day, OPEN))
            rules.expire_overdue(day)
        day += timedelta(days=1)


def load_quotes(seed: int, users: dict[str, User], customers: list[Customer]) -> None:
    """Create ninety days of quotes through portal.quotes.rules, priced from rate cards the route
    department keeps through portal.rates.rules; flushes, never commits."""
    world = World(seed, users, customers)
    if not world.customers:
        return
    stories = _plan(world)
    cal = world.cal
    queue = []
    for n, generator in enumerate([_ticks(world)] + [s.run() for s in stories]):
        first = next(generator, None)
        if first is not None and first <= cal.now_index:
            heapq.heappush(queue, (first, n, generator))
    with portal_clock.set_to(world.now) as hand:
        while queue:
            index, n, generator = heapq.heappop(queue)
            hand.move_to(min(cal.at(index), world.now))
            following = next(generator, None)
            if following is not None and following <= cal.now_index:
                heapq.heappush(queue, (max(following, index), n, generator))
        db.session.flush()
        # This morning: next month's cards imported for the lanes about to run out, a carrier's sheet
        # with mistakes waiting in its preview, a minimum corrected, and an agent's channel vetted.
        hand.move_to(world.now)
        desk = world.desk
        desk.keep_main_lanes(_main_lanes())
        desk.renew_by_import()
        desk.correct_a_minimum()
        own = db.session.scalars(sa.select(Quote).where(Quote.is_current.is_(True), Quote.agent_id == users["agent"].id,
                                                        Quote.approval_reasons.like("%self_sourced%"))
                                 .order_by(Quote.id.desc()).limit(1)).first()
        line = next((x for x in own.lines if x.source == LineSource.OWN and x.buy_rate), None) if own else None
        if line is not None and own.container_type:
            desk.vet_channel(users["agent"], own.carrier, own.pol, own.pod,
                             own.container_type if line.basis == "container" else line.basis, line.buy_rate)
        db.session.flush()
