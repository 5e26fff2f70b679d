"""Trade reference data: charges and their bases, container types, Incoterms, currencies and
carriers, each named in English, Traditional Chinese (Taiwan usage) and Simplified Chinese
(mainland usage), following the glossary (Taiwan 櫃, mainland 箱)."""
from typing import NamedTuple


class Named(NamedTuple):
    """A code with its name in the three languages (bases)."""
    code: str
    name_en: str
    name_zh_hant: str
    name_zh_hans: str


class Charge(NamedTuple):
    code: str
    name_en: str
    name_zh_hant: str
    name_zh_hans: str
    default_basis: str   # a code of BASES


class ContainerType(NamedTuple):
    code: str
    name_en: str
    name_zh_hant: str
    name_zh_hans: str
    teu: float
    special: bool        # special equipment (R-Q2): needs shipper, dimensions, ship date, target price


class Incoterm(NamedTuple):
    code: str
    name_en: str
    name_zh_hant: str
    name_zh_hans: str
    sea_only: bool       # sea and inland waterway terms (FAS, FOB, CFR, CIF)


class Carrier(NamedTuple):
    code: str            # short code (SCAC-like); stored on quotes, so never change one
    name_en: str
    name_zh_hant: str
    name_zh_hans: str


# --------------------------------------------------------------------------- charges and bases
BASES = tuple(Named(*row) for row in (
    ("container", "Per container", "每櫃", "每箱"),
    ("cbm", "Per CBM", "每立方米", "每立方米"),
    ("ton", "Per ton", "每噸", "每吨"),
    ("bl", "Per B/L", "每提單", "每提单"),
    ("lump_sum", "Lump sum", "總價", "总价"),
))
BASIS_CODES = tuple(b.code for b in BASES)
BASIS_BY_CODE = {b.code: b for b in BASES}

CHARGES = tuple(Charge(*row) for row in (
    ("OFR", "Ocean freight", "海運費", "海运费", "container"),
    ("BAF", "Bunker adjustment factor (BAF)", "燃油附加費", "燃油附加费", "container"),
    ("CAF", "Currency adjustment factor (CAF)", "幣值調整附加費", "货币调整附加费", "container"),
    ("LSS", "Low sulphur surcharge", "低硫燃油附加費", "低硫燃油附加费", "container"),
    ("PSS", "Peak season surcharge", "旺季附加費", "旺季附加费", "container"),
    ("GRI", "General rate increase (GRI)", "運價上調（GRI）", "运价上调（GRI）", "container"),
    ("EBS", "Emergency bunker surcharge", "緊急燃油附加費", "紧急燃油附加费", "container"),
    ("THC-O", "Terminal handling charge, origin", "起運港碼頭操作費", "起运港码头操作费", "container"),
    ("THC-D", "Terminal handling charge, destination", "目的港碼頭操作費", "目的港码头操作费", "container"),
    ("DOC", "Documentation fee", "文件費", "文件费", "bl"),
    ("BL", "Bill of lading fee", "提單費", "提单费", "bl"),
    ("ISPS", "ISPS security charge", "國際船舶與港口設施保全費", "国际船舶和港口设施保安费", "container"),
    ("SEAL", "Seal fee", "封條費", "铅封费", "container"),
    ("TLX", "Telex release fee", "電放費", "电放费", "bl"),
    ("AMS", "US AMS filing fee", "美國 AMS 申報費", "美国 AMS 申报费", "bl"),
    ("ENS", "EU ICS2 ENS filing fee", "歐盟 ICS2 ENS 申報費", "欧盟 ICS2 ENS 申报费", "bl"),
    ("AFR", "Japan AFR filing fee", "日本 AFR 申報費", "日本 AFR 申报费", "bl"),
    ("CMF", "China manifest fee", "艙單費", "舱单费", "bl"),
    ("DG", "Dangerous goods surcharge", "危險品附加費", "危险品附加费", "container"),
    ("REEF", "Reefer surcharge / PTI", "冷凍櫃附加費／PTI", "冷藏箱附加费／PTI", "container"),
    ("OOG", "Out-of-gauge surcharge", "超限附加費", "超限附加费", "container"),
    ("TRK", "Trucking", "拖車費", "拖车费", "container"),
    ("CUS", "Customs declaration fee", "報關費", "报关费", "bl"),
    ("INS", "Cargo insurance", "保險費", "保险费", "lump_sum"),
    ("WH", "Warehouse / CFS charge", "倉庫/CFS 費", "仓库/CFS 费", "cbm"),
    ("VGM", "VGM fee", "VGM 費", "VGM 费", "container"),
    ("DEM", "Demurrage / detention", "滯櫃費", "滞箱费", "container"),
    ("ALLIN", "All-in", "全包價（ALL IN）", "全包价（ALL IN）", "container"),
))
CHARGE_BY_CODE = {c.code: c for c in CHARGES}


# --------------------------------------------------------------------------- equipment, terms, money, carriers
CONTAINER_TYPES = tuple(ContainerType(*row) for row in (
    ("20GP", "20' dry", "20呎乾貨櫃", "20英尺干货箱", 1.0, False),
    ("40GP", "40' dry", "40呎乾貨櫃", "40英尺干货箱", 2.0, False),
    ("40HQ", "40' high cube", "40呎高櫃", "40英尺高箱", 2.0, False),
    ("45HQ", "45' high cube", "45呎高櫃", "45英尺高箱", 2.25, False),
    ("20RF", "20' reefer", "20呎冷凍櫃", "20英尺冷藏箱", 1.0, True),
    ("40RF", "40' reefer", "40呎冷凍櫃", "40英尺冷藏箱", 2.0, True),
    ("40RH", "40' high cube reefer", "40呎冷凍高櫃", "40英尺冷藏高箱", 2.0, True),
    ("20OT", "20' open top", "20呎開頂櫃", "20英尺开顶箱", 1.0, True),
    ("40OT", "40' open top", "40呎開頂櫃", "40英尺开顶箱", 2.0, True),
    ("20FR", "20' flat rack", "20呎平板櫃", "20英尺框架箱", 1.0, True),
    ("40FR", "40' flat rack", "40呎平板櫃", "40英尺框架箱", 2.0, True),
    ("20TK", "20' tank", "20呎罐式櫃", "20英尺罐式箱", 1.0, True),
))
CONTAINER_TYPE_BY_CODE = {c.code: c for c in CONTAINER_TYPES}

INCOTERMS = tuple(Incoterm(*row) for row in (
    ("EXW", "Ex Works", "工廠交貨", "工厂交货", False),
    ("FCA", "Free Carrier", "貨交運送人", "货交承运人", False),
    ("CPT", "Carriage Paid To", "運費付訖", "运费付至", False),
    ("CIP", "Carriage and Insurance Paid To", "運保費付訖", "运费和保险费付至", False),
    ("DAP", "Delivered at Place", "目的地交貨", "目的地交货", False),
    ("DPU", "Delivered at Place Unloaded", "卸貨地交貨", "卸货地交货", False),
    ("DDP", "Delivered Duty Paid", "稅訖交貨", "完税后交货", False),
    # Gone from Incoterms since 2010, still asked for: quoted as DAP and named so (issue 9).
    ("DDU", "DAP, formerly DDU", "目的地交貨 DAP（原 DDU）", "目的地交货 DAP（原 DDU）", False),
    ("FAS", "Free Alongside Ship", "船邊交貨", "船边交货", True),
    ("FOB", "Free on Board", "船上交貨", "船上交货", True),
    ("CFR", "Cost and Freight", "運費在內", "成本加运费", True),
    ("CIF", "Cost, Insurance and Freight", "運保費在內", "成本加保险费加运费", True),
))
INCOTERM_BY_CODE = {i.code: i for i in INCOTERMS}

CURRENCIES = ("USD", "TWD", "CNY", "HKD", "EUR", "JPY", "SGD")

CARRIERS = tuple(Carrier(*row) for row in (
    ("EGLV", "Evergreen Line", "長榮海運", "长荣海运"),
    ("YMLU", "Yang Ming", "陽明海運", "阳明海运"),
    ("WHLC", "Wan Hai Lines", "萬海航運", "万海航运"),
    ("COSU", "COSCO Shipping", "中遠海運", "中远海运"),
    ("OOLU", "OOCL", "東方海外", "东方海外"),
    ("MAEU", "Maersk", "快桅", "马士基"),
    ("MSCU", "MSC", "地中海航運", "地中海航运"),
    ("CMDU", "CMA CGM", "達飛", "达飞"),
    ("HLCU", "Hapag-Lloyd", "赫伯羅特", "赫伯罗特"),
    ("ONEY", "Ocean Network Express (ONE)", "海洋網聯", "海洋网联"),
    ("HDMU", "HMM", "現代商船", "现代商船"),
    ("ZIMU", "ZIM", "以星", "以星"),
    ("PCIU", "PIL (Pacific International Lines)", "太平船務", "太平船务"),
    ("SITC", "SITC", "海豐國際", "海丰国际"),
    ("KMTU", "KMTC", "高麗海運", "高丽海运"),
    ("TSLU", "TS Lines", "德翔海運", "德翔海运"),
    ("MATS", "Matson", "美森", "美森"),
    ("APLU", "APL", "美國總統輪船", "美国总统轮船"),
))
CARRIER_BY_CODE = {c.code: c for c in CARRIERS}
