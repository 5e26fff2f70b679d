"""A week of shift handover history ending now, made only through portal.handover.rules.

The department's shifts (day, evening, night) rotate among the demo agents `agent`, `peer`,
`newhire` and the supervisor `lead`. At the end of every shift the outgoing person writes a
note to the incoming one (or to their team) with what is left: customers' requests, bookings,
documents, complaints, collections, government filings. The incoming person acknowledges it
at the start of the next shift and closes most items during it; the rest carry over (R-H3).
Twice in the week the supervisor moves one of `peer`'s customers to `agent` (R-H4).

Every step runs at the moment within its shift when it happens, on the portal's own clock
(core.clock.set_to), so the rules stamp every row (created, submitted, acknowledged, raised,
done, carried, addenda, the audit rows, and the shift of a customer handover) with that
moment. Today: the newest note waits unacknowledged for `agent`, and `peer`, on duty too, is
halfway through a draft.

Everything comes from random.Random(seed); only the placement in time follows the clock.
Carrier names are real; vessel names, booking, B/L and container numbers are made up.
"""
import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from portal.auth.models import User
from portal.core import clock
from portal.customers.models import Customer, Kind
from portal.customers.rules import reassign_owner
from portal.demo.data import CN_BRANDS, CN_PLACES
from portal.extensions import db
from portal.handover import rules
from portal.handover.models import HandoverItem, HandoverNote, NoteCustomer, NoteKind, Shift

DAYS = 7
MINUTE = timedelta(minutes=1)
STICKY = 10 ** 6   # an item that stays open until something else decides when it closes
MAX_SHIFTS = 6     # a week's shifts per person, when the roster allows

# How much each person works each kind of shift: the supervisor mostly days, the new hire no
# nights if it can be helped.
PREFERENCE = {
    "day": {"lead": 6, "newhire": 3, "agent": 2, "peer": 2},
    "evening": {"agent": 3, "peer": 3, "newhire": 2, "lead": 0.3},
    "night": {"agent": 3, "peer": 3, "newhire": 1, "lead": 0.05},
}
# The language each writes their notes in: Jason Lin and the supervisor in Traditional Chinese,
# David Zhang from Shanghai in Simplified Chinese, the new hire as often in English.
LANGUAGES = {"agent": {"hant": 8, "en": 2}, "lead": {"hant": 9, "en": 1}, "newhire": {"hant": 5, "en": 5},
             "peer": {"hans": 7, "en": 3}}

# --- carriers, ports, numbers -------------------------------------------------------------

# (Traditional, Simplified, English, SCAC, container owner codes, vessels)
CARRIERS = [
    ("長榮", "长荣", "Evergreen", "EGLV", ("EGHU", "EISU", "EMCU"), ("EVER LIBRA", "EVER LUMEN", "EVER ORCHID")),
    ("陽明", "阳明", "Yang Ming", "YMLU", ("YMLU", "YMMU"), ("YM UNISON", "YM HARVEST", "YM CELESTE")),
    ("萬海", "万海", "Wan Hai", "WHLC", ("WHLU", "WHSU"), ("WAN HAI 338", "WAN HAI 517", "WAN HAI 176")),
    ("赫伯羅德", "赫伯罗特", "Hapag-Lloyd", "HLCU", ("HLBU", "HLXU"), ("TAIPEI EXPRESS", "LINZ EXPRESS")),
    ("達飛", "达飞", "CMA CGM", "CMDU", ("CMAU", "TGHU"), ("CMA CGM RIGEL", "CMA CGM ALCYONE")),
    ("海洋網聯", "海洋网联", "ONE", "ONEY", ("ONEU", "TCNU"), ("ONE CRESCENT", "ONE HALCYON")),
]
POL = ["TPE", "KHH", "KHH", "TXG", "KEL"]
POD = ["LAX", "LGB", "OAK", "SEA", "NYC", "SAV", "HOU", "RTM", "HAM", "ANR", "SIN", "SGN", "TYO", "BUS", "JEA"]
POD_AFRICA = ["Lagos (Apapa)", "Mombasa", "Durban", "Tema", "Dar es Salaam", "Lomé"]
CN_PORTS = ["上海", "寧波", "深圳蛇口", "廈門", "青島"]


def _check_digit(code: str) -> str:
    """ISO 6346 check digit of a container number's first ten characters."""
    values, v = {}, 10
    for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if v % 11 == 0:
            v += 1
        values[ch] = v
        v += 1
    total = sum((values[c] if c.isalpha() else int(c)) * 2 ** i for i, c in enumerate(code))
    return str(total % 11 % 10)


# --- what the shifts write -------------------------------------------------------------------

D, P, C, V = Kind.DIRECT, Kind.PEER, Kind.CARRIER, Kind.PROVIDER


@dataclass(frozen=True)
class T:
    """An item's wording: language, category, priority, the kinds of customer it can be about
    (none: about no customer), whether it has a due time, and whether it tends to drag on."""

    lang: str
    category: str
    priority: str
    text: str
    kinds: tuple = (D,)
    due: bool = False
    long: bool = False
    match: str | None = None   # a pattern the customer's name must match (which kind of provider)
    tw: bool = False           # about a shipper in Taiwan


ITEMS = [
    # Traditional Chinese
    T("hant", "booking", "urgent", "催{carrier}確認 {pol}→{pod} 甩櫃後的新船期：{c} 的 {n} 個櫃（S/O {bk}）沒上 {vsl}，"
      "客戶很急，確認後馬上回覆。", long=True),
    T("hant", "booking", "normal", "{c} 追加 {n} x 40HQ，{vsl} 結關 {etd}，已向{carrier}申請加艙，等放艙。"),
    T("hant", "booking", "urgent", "{carrier}通知 {vsl} 延遲約 {d} 天，{c} 的 {bk} 受影響，需通知客戶並確認是否改船。"),
    T("hant", "booking", "normal", "{c} 冷凍櫃 {cntr} 設定 -18°C，請確認碼頭已插電，{carrier} reefer desk 回覆後結案。"),
    T("hant", "other", "urgent", "颱風停班：高雄港暫停作業，{vsl} 延後進港，請逐一通知本週出貨客戶，先從 {c} 開始。",
      kinds=(D, P), long=True, tw=True),
    T("hant", "document", "normal", "客戶 {c} 要求更改提單收貨人（consignee），需先確認正本提單是否已簽發；"
      "改單費 USD 50 已告知客戶。", kinds=(D, P)),
    T("hant", "document", "urgent", "{c} 提單 {bl} 草稿待客戶確認，客戶說 {hh} 前回覆，逾時請打電話催，截提單明早 10:00。",
      due=True),
    T("hant", "filing", "normal", "ICS2 ENS：{c} 的品名只寫「parts」，需請客戶補完整品名與 HS 六碼，否則無法申報。"),
    T("hant", "filing", "normal", "{c} 的櫃 {cntr} 被海關抽中查驗（C3），報關行要補發票與裝箱單，明早追進度。"),
    T("hant", "complaint", "urgent", "客訴：{c} 收貨時貨物破損（外箱擠壓、棧板斷裂），需要照片與卸貨紀錄，已轉公證行，等報告。",
      long=True),
    T("hant", "complaint", "normal", "客訴：{c} 抱怨 {bl} 到港通知太晚，產生倉租 {amt}，先安撫客戶，是否吸收請主管決定。"),
    T("hant", "collections", "info", "月結對帳單寄出：{c} {month} 月對帳單已寄，請留意客戶回覆是否有差異。"),
    T("hant", "collections", "normal", "{c} 月結 {term} 天下週一到期，要寄應付明細提醒客戶，避免財務扣單。"),
    T("hant", "collections", "urgent", "{c} 逾期帳款 {big} 未付，財務已扣單（{bl}）。客戶來電要求放單請轉主管，不可自行放單。",
      long=True),
    T("hant", "customer_request", "info", "{c} 來電問 {cntr} 動態：{vsl} 預計 {etd} 抵 {pod}，客戶再問可直接回覆。",
      kinds=(D, P)),
    T("hant", "customer_request", "normal", "{c} 要 {pod} 到門（DDP）報價，缺毛重與材積，已寄信詢問，收到資料後找航線部報價。"),
    T("hant", "document", "normal", "{c} 電放申請已送{carrier}，收到電放通知後轉寄客戶與國外代理。", kinds=(D, P)),
    T("hant", "other", "info", "{carrier}網站 {etd} 22:00–24:00 系統維護，查不到貨況屬正常，客戶問就先說明。", kinds=()),
    T("hant", "booking", "info", "拖車行 {c} 通知明早 08:30 到廠裝櫃，司機會直接聯絡客戶倉庫。", kinds=(V,),
      match=r"運輸|运输|Truck|Drayage|Transport"),
    T("hant", "complaint", "urgent", "{c} 的 LCL 貨在 CFS 少 {n} 箱，倉庫清點中，結果出來請通知客戶與國外代理。",
      kinds=(D, P)),
    T("hant", "document", "normal", "燻蒸證明（{c} 的木箱貨）明天下午才出，{bl} 要等燻蒸證明號碼才能定稿。"),
    T("hant", "booking", "normal", "{c} 回報燻蒸排程已滿，{cntr} 改明天上午燻蒸，請通知貨主結關可能來不及。", kinds=(V,),
      match=r"燻蒸|Fumigation"),
    T("hant", "booking", "normal", "{c} 改港：{pod} 改為 {pod2}，需向{carrier}申請 COD 並報改港費給客戶。"),
    T("hant", "customer_request", "info", "{c} 詢問免用櫃期，{carrier}同意延長至 14 天，確認信已寄，請在系統註記。"),
    T("hant", "filing", "urgent", "大陸艙單：{c} 的 {bl} 卸{cnport}，開航前 24 小時要申報，{hh} 前資料一定要齊。",
      kinds=(D, P), due=True, tw=True),
    T("hant", "customer_request", "info", "到貨通知：{vsl} 已抵 {pod}，已提醒 {c} 準備換單與報關。"),
    T("hant", "complaint", "normal", "{c} 反映報價回覆太慢（超過半天），主管要求今天內回電說明。"),
    T("hant", "collections", "normal", "{c} 要 SOA 對帳明細（截至月底），財務明天提供，收到後轉寄客戶。", kinds=(D, P)),
    T("hant", "booking", "urgent", "{c} 業務通知 {vsl} 美西線超賣，我們的 {bk} 可能被甩，{tonight}先確認哪些櫃可以改下一班。",
      kinds=(C,)),
    T("hant", "other", "info", "新人報價需主管核准後才能寄給客戶，請大家留意。", kinds=()),
    T("hant", "customer_request", "normal", "{c} 詢特種櫃（40FR）報價：需 shipper、尺寸、重量、出貨日期與心理價位，"
      "資料齊了再找航線部申請。", kinds=(D, P)),
    T("hant", "customer_request", "normal", "{c} 的 {pod} 報價已寄出，下一班請回訪看反饋，明天再追一次。"),
    T("hant", "customer_request", "normal", "沉睡客戶 {c} 今天回電有新詢價（{pol}→{pod} 2 x 40HQ），請盡量約拜訪。"),
    T("hant", "booking", "info", "{c} 的 S/O {bk} 已放，{vsl} 結關 {etd} 12:00，已提醒客戶提早進櫃。"),
    T("hant", "filing", "urgent", "{c} 的 VGM 還沒報，{carrier} 截 VGM 時間 {hh}，請再催客戶。", due=True),
    T("hant", "other", "normal", "報關行 {c} 系統斷線，今天的報單改用人工遞送，放行可能延後半天。", kinds=(V,),
      match=r"報關|报关|Customs|Zoll|Douane"),
    # English
    T("en", "filing", "urgent", "AMS filing for {scac} booking {bk} due {hh} — shipper still hasn't sent the HS codes; "
      "call {c} first thing.", kinds=(D, P), due=True),
    T("en", "filing", "urgent", "ISF 10+2 for {c} ({bl}): importer of record number missing. Must be filed 24h before "
      "loading — ask the consignee.", due=True),
    T("en", "booking", "normal", "Booking {bk} ({carrier}) for {c} still not confirmed; space on {vsl} is tight. "
      "Chase the carrier desk before cut-off."),
    T("en", "document", "normal", "{c} asked for a copy of the telex release for {bl}; requested from {carrier}, "
      "forward it when it arrives.", kinds=(D, P)),
    T("en", "other", "info", "{carrier} GRI USD {gri}/FEU on the transpacific from {etd}. The open quotes it affects "
      "are in the shared mailbox.", kinds=()),
    T("en", "customer_request", "normal", "Peer {c} asking for co-load space Shanghai–Rotterdam next week; quoted "
      "at company sell rate, follow up tomorrow.", kinds=(P,)),
    T("en", "complaint", "normal", "{c} says the invoice for {bl} charged THC twice ({amt}). Finance checked: "
      "credit note pending, let the customer know when it is issued."),
    T("en", "collections", "info", "Monthly statement for {c} sent; they will confirm by Friday. Nothing to do "
      "unless they call."),
    T("en", "booking", "urgent", "{c}: rolled cargo on {vsl}, {n} x 40HQ. Customer wants the next sailing — "
      "{carrier} to confirm the new ETD {tonight_en}.", long=True),
    T("en", "customer_request", "info", "{c} called about {cntr}: discharged at {pod}, available for pickup. "
      "Told them free time ends {etd}.", kinds=(D, P)),
    # Simplified Chinese
    T("hans", "customer_request", "normal", "同行{c}询 {podaf} 危险品舱位（Class 3，UN1263），航线部报价中，"
      "收到后按公司卖价报给客户。", kinds=(P,)),
    T("hans", "booking", "urgent", "{c} 订舱 {bk} 还没放舱，{carrier}说{tonight_hans}回复，请帮忙跟进，明早客户要 S/O。",
      kinds=(P, D)),
    T("hans", "document", "normal", "{c} 要求修改提单收货人，需先确认正本是否已签发，改单费已告知。", kinds=(P, D)),
    T("hans", "collections", "normal", "{c} 月结账单已发，客户说有两笔费用有疑问，待财务核对后回复。", kinds=(P, D)),
    T("hans", "customer_request", "normal", "非洲线：{c} 询 {podaf} 40HQ 下周出货，已按公司卖价报价，明天回访。",
      kinds=(P,)),
    T("hans", "filing", "normal", "{c} 反映 {cntr} 到港后被查验，需要提供装箱单和发票，已通知报关行。", kinds=(P, D)),
    T("hans", "complaint", "urgent", "{c} 拼箱货入仓少 {n} 件，仓库在核对，结果出来后通知客户和目的港代理。",
      kinds=(P,), long=True),
    T("hans", "filing", "urgent", "ICS2 ENS：{c} 的品名太笼统，需补 HS 六位码，{hh} 前要发给船公司。", kinds=(P, D),
      due=True),
    T("hans", "other", "info", "今天非洲线（{podaf}）运价下调，新价表已发到共享邮箱。", kinds=()),
    T("hans", "booking", "normal", "{c} 的特种箱（40OT）需要尺寸和重量才能向航线部申请价格，已发邮件催。", kinds=(P, D)),
]

SUMMARIES = {
    "hant": ["今天美西線訂艙量大，{carrier} KHH 結關提前到週四 12:00。", "本班無特殊狀況，系統正常。",
             "客戶來電多半問船期，已逐一回覆。", "颱風警報發布中，明天若停班請先看群組通知。",
             "主管交代：特種櫃詢價一律先登記，再找航線部。", "月底了，月結客戶的對帳單請優先處理。"],
    "en": ["Quiet shift; two rate inquiries from US customers answered.",
           "Carrier portals are slow; retry later if tracking fails.",
           "Busy with transpacific bookings before the GRI."],
    "hans": ["今天同行询价较多，非洲线为主，报价已全部回复。", "本班系统正常，无特殊情况。", "明天上午有两个客户要 S/O，请留意邮件。"],
}
# A draft is being written: its remarks stop mid-sentence.
DRAFT_SUMMARY = "今天同行询价较多，非洲线为主，"

ADDENDA = [
    ("author", "更正：第 {k} 項的截止時間應為明天 12:00，不是今天。"),
    ("author", "Correction to item {k}: the customer's contact is their Kaohsiung office, not HQ — "
               "use the extension on file."),
    ("taker", "補充：第 {k} 項客戶已另外來信確認，照原計畫處理即可。"),
    ("taker", "補充：第 {k} 項{carrier}已回覆新船期，{vsl} ETD {etd}，已通知客戶。"),
    ("lead", "主管備註：第 {k} 項我已直接回電客戶說明，後續照常跟進即可。"),
]

SUFFIX_ZH = re.compile(r"(\(香港\))?(股份)?有限公司$")
SUFFIX_EN = re.compile(r",?\s+(Co\., Ltd\.|Company Limited|\(HK\) Limited|Limited|Corp\.|Corporation|Inc\.|LLC|"
                       r"GmbH( & Co\. KG)?|mbH|B\.V\.|Pte\. Ltd\.|JSC|Joint Stock Company|K\.K\.|Kaisha, Ltd\.)$")


CN_CITY = re.compile("^(" + "|".join(p[0] for p in CN_PLACES) + ")市?")
CN_BRAND = tuple(b for b, _en in CN_BRANDS)


def _short_zh(customer: Customer) -> str | None:
    """What colleagues call the customer: the name without the company form (and, for a
    mainland company with a brand, without its city)."""
    if not customer.name_zh:
        return None
    name = SUFFIX_ZH.sub("", customer.name_zh)
    if customer.country == "CN":
        rest = CN_CITY.sub("", name)
        if rest.startswith(CN_BRAND):
            name = rest
    return name


def _short_en(customer: Customer) -> str | None:
    if not customer.name_en:
        return None
    name = customer.name_en
    for _ in range(2):
        name = SUFFIX_EN.sub("", name)
    return name


# --- the week ----------------------------------------------------------------------------------


@dataclass
class Slot:
    shift: Shift
    day: date
    start: datetime
    end: datetime
    worker: str = ""

    @property
    def kind(self) -> str:
        hour = self.shift.starts_at.hour
        return "day" if 5 <= hour < 13 else "evening" if 13 <= hour < 21 else "night"


@dataclass
class Plan:
    """When an item closes: in shift close_slot, before the holder starts their note (the
    item then stays off it) or after (it is carried, then done on the new note)."""
    item: HandoverItem
    close_slot: int
    late: bool


@dataclass
class Week:
    rng: random.Random
    users: dict
    customers: list
    now: datetime
    slots: list = field(default_factory=list)
    plans: dict = field(default_factory=dict)
    decks: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def _slots(now: datetime) -> list[Slot]:
    """The shifts of the last week up to the one running now, oldest first."""
    shifts = rules.active_shifts()
    windows = []
    for offset in range(-DAYS - 2, 2):
        day = now.date() + timedelta(days=offset)
        for shift in shifts:
            start, end = rules.shift_window(shift, day)
            if start <= now:
                windows.append(Slot(shift, day, start, end))
    windows.sort(key=lambda s: s.start)
    return windows[-(DAYS * len(shifts) + 1):] if shifts else []


def _roster(rng: random.Random, slots: list[Slot]) -> None:
    """Who works each shift, from now backwards: `agent` now (with `peer` beside), nobody two
    shifts in a row or with only one shift's rest, the supervisor mostly on days."""
    names = ("agent", "peer", "newhire", "lead")
    counts = dict.fromkeys(names, 0)
    last = len(slots) - 1
    slots[last].worker = "agent"
    counts["agent"] = counts["peer"] = 1
    for k in range(last - 1, -1, -1):
        later = {slots[j].worker for j in (k + 1, k + 2) if j <= last}
        if k >= last - 2:
            later.add("peer")   # on duty now: rested before
        candidates = [u for u in names if u not in later]
        candidates = [u for u in candidates if counts[u] < MAX_SHIFTS] or candidates
        weights = [PREFERENCE[slots[k].kind][u] / (1 + counts[u]) ** 2 for u in candidates]
        worker = rng.choices(candidates, weights=weights)[0]
        slots[k].worker = worker
        counts[worker] += 1


def _minutes(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment between start and end, to the minute (end if the span is empty)."""
    span = int((end - start) / MINUTE)
    return start + rng.randint(0, span) * MINUTE if span > 0 else end


def _local(moment: datetime, zone: str) -> datetime:
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone))


class Writer:
    """Fills an item's wording with a customer, a carrier and made-up numbers."""

    def __init__(self, week: Week):
        self.week = week
        self.rng = week.rng
        by_kind = {}
        for c in week.customers:
            by_kind.setdefault(c.kind, []).append(c)
        self.by_kind = by_kind

    def template(self, lang: str, customer: Customer | None = None) -> T:
        """The next wording in this language: each is dealt once before any comes round again.
        With a customer: the next one that fits them and asks for something to be done."""
        deck = self.week.decks.get(lang)
        if not deck:
            deck = [t for t in ITEMS if t.lang == lang]
            self.rng.shuffle(deck)
            self.week.decks[lang] = deck
        if customer is None:
            return deck.pop()

        def fits(t):
            return customer.kind in t.kinds and t.priority != "info" and (not t.tw or customer.country == "TW") \
                and (not t.match or re.search(t.match, f"{customer.name_zh or ''} {customer.name_en or ''}"))
        chosen = next((t for t in deck if fits(t)), None) \
            or next((t for t in ITEMS if t.lang == lang and fits(t)), None) \
            or next(t for t in ITEMS if customer.kind in t.kinds)
        if chosen in deck:
            deck.remove(chosen)
        return chosen

    def customer(self, t: T) -> Customer | None:
        """A customer the wording fits, bigger customers more often; None if none fits."""
        pool = [c for k in t.kinds for c in self.by_kind.get(k, [])]
        if t.match:
            pool = [c for c in pool if re.search(t.match, f"{c.name_zh or ''} {c.name_en or ''}")]
        if t.tw:
            pool = [c for c in pool if c.country == "TW"] or pool
        if not pool:
            return None
        weights = [{"A": 4, "B": 3, "C": 2, "D": 1}.get(c.grade, 1) for c in pool]
        return self.rng.choices(pool, weights=weights)[0]

    def fill(self, t: T, customer: Customer | None, raised: datetime, due: datetime | None, zone: str) -> str:
        rng = self.rng
        zh, hans, en, scac, owners, vessels = rng.choice(CARRIERS)
        local = _local(raised, zone)
        etd = (local + timedelta(days=rng.randint(1, 5))).date()
        pod = rng.choice(POD)
        owner = rng.choice(owners)
        serial = f"{owner}{rng.randint(0, 999999):06d}"
        tw = customer is None or customer.country == "TW"
        name = None
        if customer is not None:
            name = (_short_en(customer) or _short_zh(customer)) if t.lang == "en" else \
                (_short_zh(customer) or _short_en(customer))
        values = {
            "c": name or "",
            "carrier": {"hant": zh, "hans": hans, "en": en}[t.lang], "scac": scac,
            "vsl": f"{rng.choice(vessels)} {rng.randint(100, 999):04d}-{rng.randint(1, 60):03d}{rng.choice('EW')}",
            "bk": f"{rng.randint(10**7, 10**8 - 1)}" if scac == "HLCU" else f"{rng.randint(10**9, 10**10 - 1)}",
            "bl": f"{scac}{rng.randint(10**11, 10**12 - 1)}",
            "cntr": serial + _check_digit(serial),
            "pol": rng.choice(POL), "pod": pod, "pod2": rng.choice([p for p in POD if p != pod]),
            "podaf": rng.choice(POD_AFRICA), "cnport": rng.choice(CN_PORTS),
            "etd": f"{etd.month}/{etd.day}", "hh": _local(due, zone).strftime("%H:%M") if due else "",
            "n": rng.randint(2, 6), "d": rng.randint(1, 4), "term": rng.choice((30, 45, 60)),
            "gri": rng.randint(3, 8) * 100,
            "month": (local.month - 2) % 12 + 1,
            "tonight": "今晚" if 12 <= local.hour < 22 else "今天",
            "tonight_hans": "今晚" if 12 <= local.hour < 22 else "今天",
            "tonight_en": "tonight" if 12 <= local.hour < 22 else "today",
            "amt": f"NT${rng.randint(3, 60) * 1000:,}" if tw else f"USD {rng.randint(4, 90) * 50:,}",
            "big": f"NT${rng.randint(12, 90) * 10000:,}" if tw else f"USD {rng.randint(30, 250) * 100:,}",
        }
        return t.text.format(**values)


def load_handover(seed: int, users: dict[str, User], customers: list[Customer]) -> None:
    """Create the week's handover notes, items, addenda and customer handovers; flushes, never commits."""
    now = clock.now()
    slots = _slots(now)
    if len(slots) < 4:
        return
    rng = random.Random(f"handover-{seed}")
    _roster(rng, slots)
    week = Week(rng, users, customers, now, slots)
    with clock.set_to(slots[0].start) as hand:
        _simulate(week, hand)
    db.session.flush()


def _simulate(week: Week, hand) -> None:
    """Each shift in turn, each step with the clock set to the moment it happens."""
    rng, users, slots = week.rng, week.users, week.slots
    writer = Writer(week)
    last = len(slots) - 1                      # the shift running now
    handovers = _plan_customer_handovers(week)
    addenda_on = set(rng.sample(range(1, last - 1), k=min(3, max(last - 2, 0))))
    prev_note = None
    pending = []                               # customer notes waiting for their new owner
    for i, slot in enumerate(slots[:last]):
        w = users[slot.worker]
        t_ack = slot.start + rng.randint(3, 25) * MINUTE
        t_created = slot.start + rng.randint(45, 120) * MINUTE
        t_submit = slot.end - rng.randint(3, 20) * MINUTE

        # Take over: the previous shift's note, and customers handed over meanwhile.
        if prev_note is not None:
            hand.move_to(t_ack)
            rules.acknowledge(w, prev_note)
        for note in [n for n in pending if n.recipient_id == w.id]:
            hand.move_to(t_ack + rng.randint(2, 15) * MINUTE)
            rules.acknowledge(w, note)
            pending.remove(note)
            for entry in note.entries:      # the new owner finishes these in the shift
                plan = week.plans.get(entry.item_id)
                if plan and plan.close_slot >= STICKY:
                    plan.close_slot, plan.late = i, True

        # Done before the writer starts their own note: these stay off it.
        held = _held_by(week, w)
        early = sorted((_minutes(rng, t_ack + 5 * MINUTE, t_created - 5 * MINUTE), plan.item.id, plan)
                       for plan in held if plan.close_slot <= i and not plan.late)
        for moment, _id, plan in early:
            hand.move_to(moment)
            rules.close_item(w, plan.item, plan.item.version)

        if i in handovers:
            hand.move_to(_minutes(rng, t_ack + 10 * MINUTE, t_created - 5 * MINUTE))
            pending.append(_hand_over(week, handovers[i]))

        # The note for the next shift: open items come along at once (R-H3).
        nxt = users[slots[i + 1].worker]
        to_team = i < last - 1 and nxt.team and rng.random() < 0.25
        hand.move_to(t_created)
        note, _carried = rules.start_note(w, slot.shift, slot.day, None if to_team else nxt,
                                          nxt.team if to_team else None)
        if rng.random() < 0.5:
            lang = _language(rng, slot.worker)
            hand.move_to(t_created + rng.randint(1, 4) * MINUTE)
            rules.save_summary(w, note, _summary(rng, lang))

        # What came up during the shift, and what was done later in it (carried, then closed).
        steps = [(_minutes(rng, t_created + 10 * MINUTE, t_submit - 10 * MINUTE), "close", plan)
                 for plan in held if plan.item.is_open and plan.close_slot <= i]
        carried = len(note.entries)
        target = rng.choices((1, 2, 3, 4, 5), weights=(10, 25, 30, 22, 13))[0] if i < last - 1 \
            else rng.choice((4, 5))    # the note waiting now: a full one
        fresh = max(target - carried, 0 if carried else 1)
        forced = handovers.get(i + 1)     # the customer the supervisor moves next shift
        times = sorted(_minutes(rng, t_created + 5 * MINUTE, t_submit - 5 * MINUTE)
                       for _ in range(fresh + bool(forced)))
        steps += [(raised, "raise", forced if forced is not None and n == 0 else None)
                  for n, raised in enumerate(times)]
        for moment, what, subject in sorted(steps, key=lambda step: (step[0], step[1])):
            hand.move_to(moment)
            if what == "close":
                rules.close_item(w, subject.item, subject.item.version)
            else:
                _add_item(week, writer, w, note, slot, i, moment, customer=subject, sticky=subject is not None)

        hand.move_to(t_submit)
        rules.submit_note(w, note)
        week.notes.append((note, i))

        if i - 1 in addenda_on and prev_note is not None:
            hand.move_to(_minutes(rng, t_ack + 30 * MINUTE, min(slot.end - 30 * MINUTE, week.now)))
            _addendum(week, writer, prev_note, w, slot, t_ack)
        prev_note = note

    # Now: the last note waits for `agent`; `peer`, on duty as well, is writing a draft.
    now_slot = slots[last]
    peer = users["peer"]
    span = week.now - now_slot.start
    created = now_slot.start + span * rng.uniform(0.15, 0.5)
    hand.move_to(created)
    note, _carried = rules.start_note(peer, now_slot.shift, now_slot.day, None, "direct")
    raised = created
    for _n in range(2):
        raised = raised + (week.now - raised) * rng.uniform(0.2, 0.6)
        hand.move_to(raised)
        _add_item(week, writer, peer, note, now_slot, last, raised)
    rules.save_summary(peer, note, DRAFT_SUMMARY)
    week.notes.append((note, last))


def _language(rng: random.Random, username: str) -> str:
    weights = LANGUAGES[username]
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _summary(rng: random.Random, lang: str) -> str:
    zh, hans, en, *_rest = rng.choice(CARRIERS)
    return rng.choice(SUMMARIES[lang]).format(carrier={"hant": zh, "hans": hans, "en": en}[lang])


def _held_by(week: Week, user: User) -> list[Plan]:
    """Open items whose newest note this user acknowledged: theirs to close or carry."""
    held = []
    for item_id in sorted(week.plans):
        plan = week.plans[item_id]
        if plan.item.is_open:
            newest = max(plan.item.entries, key=lambda e: e.note_id).note
            if newest.acknowledged_by_id == user.id:
                held.append(plan)
    return held


def _add_item(week: Week, writer: Writer, author: User, note: HandoverNote, slot: Slot, i: int,
              raised: datetime, customer: Customer | None = None, sticky: bool = False) -> HandoverItem:
    rng = week.rng
    lang = _language(rng, author.username)
    if customer is not None:
        t = writer.template(lang, customer)
    else:
        for _attempt in range(20):     # a wording no demo customer fits goes back for another
            t = writer.template(lang)
            customer = writer.customer(t) if t.kinds else None
            if customer is not None or not t.kinds:
                break
    due = None
    if t.due:
        following = week.slots[i + 1].start if i + 1 < len(week.slots) else slot.end
        due = following + rng.randint(2, 6) * timedelta(hours=1)
    text = writer.fill(t, customer, raised, due, slot.shift.timezone)
    item = rules.add_item(author, note, {"text": text, "priority": t.priority, "category": t.category,
                                         "customer_id": customer.id if customer else None, "due_at": due})
    late = rng.random() < 0.35
    if t.long:
        span = rng.choice((2, 3, 3, 4))
    elif t.priority == "info" or due:
        span, late = 1, late and not due    # done by the next shift, before it falls due
    elif t.priority == "urgent":
        span = rng.choices((1, 2), weights=(85, 15))[0]
    else:
        span = rng.choices((1, 2, 3, 4), weights=(65, 20, 10, 5))[0]
    week.plans[item.id] = Plan(item, STICKY if sticky else i + span, late)
    return item


def _plan_customer_handovers(week: Week) -> dict[int, Customer]:
    """Two of `peer`'s customers move to `agent`, on shifts the supervisor works, early and late
    in the week; `agent` works a shift after each, to take the customer over."""
    rng, slots, users = week.rng, week.slots, week.users
    last = len(slots) - 1
    agent_after = [i for i in range(last) if slots[i].worker == "agent"]
    if not agent_after:
        return {}
    window = range(2, agent_after[-1])
    candidates = [i for i in window if slots[i].worker == "lead" and slots[i].kind == "day"] or \
        [i for i in window if slots[i].worker == "lead"] or list(window)
    if not candidates:
        return {}
    half = max(len(candidates) // 2, 1)
    chosen = sorted({rng.choice(candidates[:half]), rng.choice(candidates[half:] or candidates)})
    peer, agent = users["peer"], users["agent"]
    books = [c for c in week.customers if c.owner_id == peer.id]
    # Shippers first, then lines and providers, forwarders last (they stay with the peer desk).
    books.sort(key=lambda c: ({Kind.DIRECT: 0, Kind.PEER: 2}.get(c.kind, 1), c.grade, c.id))
    if not books:
        books = [c for c in week.customers if c.owner_id != agent.id]
    picked = {}
    for i, customer in zip(chosen, books):
        picked[i] = customer
    return picked


def _hand_over(week: Week, customer: Customer) -> HandoverNote:
    """R-H4: the supervisor moves the customer to `agent`; its open items come with a handover note."""
    lead, agent = week.users["lead"], week.users["agent"]
    reassign_owner(lead, customer, agent, customer.version)
    return db.session.scalars(sa.select(HandoverNote).where(
        HandoverNote.kind == NoteKind.CUSTOMER,
        HandoverNote.id.in_(sa.select(NoteCustomer.note_id).where(NoteCustomer.customer_id == customer.id)))
        .order_by(HandoverNote.id.desc()).limit(1)).one()


def _addendum(week: Week, writer: Writer, note: HandoverNote, taker: User, slot: Slot, t_ack: datetime) -> None:
    """R-H2: a correction on an acknowledged note, by its writer, whoever took it over, or the supervisor."""
    rng = week.rng
    who, text = rng.choice(ADDENDA)
    author = {"author": db.session.get(User, note.author_id), "taker": taker, "lead": week.users["lead"]}[who]
    zh, _hans, _en, _scac, _owners, vessels = rng.choice(CARRIERS)
    etd = (_local(t_ack, slot.shift.timezone) + timedelta(days=rng.randint(2, 6))).date()
    text = text.format(k=rng.randint(1, max(len(note.entries), 1)), carrier=zh,
                       vsl=f"{rng.choice(vessels)} {rng.randint(100, 999):04d}-{rng.randint(1, 60):03d}E",
                       etd=f"{etd.month}/{etd.day}")
    rules.add_addendum(author, note, text)
