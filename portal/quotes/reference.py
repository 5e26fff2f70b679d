"""Reference data for quotes (R-Q1..R-Q10): ports, charges, bases, container types, Incoterms,
currencies and carriers, each named in English, Traditional Chinese (Taiwan usage) and
Simplified Chinese (mainland usage), following shared/glossary.csv (Taiwan 櫃, mainland 箱).

Pure data plus tiny helpers: no app imports, no database. Port codes are UN/LOCODEs
(ISO 3166 country + 3-character location). Run this file to self-check it.
"""
from typing import NamedTuple

LOCALES = ("en", "zh_Hant", "zh_Hans")
REGIONS = ("Asia", "Europe", "Americas", "Africa", "Oceania")


class Port(NamedTuple):
    code: str            # UN/LOCODE, e.g. TWKHH
    name_en: str
    name_zh_hant: str    # Taiwan usage
    name_zh_hans: str    # mainland usage
    country: str         # ISO 3166-1 alpha-2, the first two letters of the code
    region: str          # one of REGIONS


class Named(NamedTuple):
    """A code with its name in the three languages (bases, container types)."""
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


def _ports(region, rows):
    return [Port(code, en, hant, hans, code[:2], region) for code, en, hant, hans in rows]


# --------------------------------------------------------------------------- ports
PORTS = tuple(
    _ports("Asia", [
        # Taiwan
        ("TWKHH", "Kaohsiung", "高雄", "高雄"),
        ("TWTPE", "Taipei", "臺北", "台北"),
        ("TWKEL", "Keelung", "基隆", "基隆"),
        ("TWTXG", "Taichung", "臺中", "台中"),
        # Mainland China, Hong Kong, Macau
        ("CNSHA", "Shanghai", "上海", "上海"),
        ("CNNGB", "Ningbo", "寧波", "宁波"),
        ("CNSZX", "Shenzhen", "深圳", "深圳"),
        ("CNYTN", "Yantian", "鹽田", "盐田"),
        ("CNSHK", "Shekou", "蛇口", "蛇口"),
        ("CNCWN", "Chiwan", "赤灣", "赤湾"),
        ("CNCAN", "Guangzhou", "廣州", "广州"),
        ("CNNSA", "Nansha", "南沙", "南沙"),
        ("CNTAO", "Qingdao", "青島", "青岛"),
        ("CNTSN", "Tianjin", "天津", "天津"),
        ("CNTXG", "Tianjin Xingang", "天津新港", "天津新港"),
        ("CNDLC", "Dalian", "大連", "大连"),
        ("CNXMN", "Xiamen", "廈門", "厦门"),
        ("CNFOC", "Fuzhou", "福州", "福州"),
        ("CNSWA", "Shantou", "汕頭", "汕头"),
        ("CNLYG", "Lianyungang", "連雲港", "连云港"),
        ("CNYNT", "Yantai", "煙台", "烟台"),
        ("CNNKG", "Nanjing", "南京", "南京"),
        ("HKHKG", "Hong Kong", "香港", "香港"),
        ("MOMFM", "Macau", "澳門", "澳门"),
        # Japan
        ("JPTYO", "Tokyo", "東京", "东京"),
        ("JPYOK", "Yokohama", "橫濱", "横滨"),
        ("JPNGO", "Nagoya", "名古屋", "名古屋"),
        ("JPOSA", "Osaka", "大阪", "大阪"),
        ("JPUKB", "Kobe", "神戶", "神户"),
        ("JPHKT", "Hakata", "博多", "博多"),
        ("JPMOJ", "Moji", "門司", "门司"),
        ("JPSMZ", "Shimizu", "清水", "清水"),
        ("JPYKK", "Yokkaichi", "四日市", "四日市"),
        ("JPCHB", "Chiba", "千葉", "千叶"),
        ("JPHIJ", "Hiroshima", "廣島", "广岛"),
        ("JPKIJ", "Niigata", "新潟", "新潟"),
        ("JPSDJ", "Sendai", "仙台", "仙台"),
        ("JPTMK", "Tomakomai", "苫小牧", "苫小牧"),
        ("JPNAH", "Naha", "那霸", "那霸"),
        # Korea
        ("KRPUS", "Busan", "釜山", "釜山"),
        ("KRINC", "Incheon", "仁川", "仁川"),
        ("KRKAN", "Gwangyang", "光陽", "光阳"),
        ("KRUSN", "Ulsan", "蔚山", "蔚山"),
        ("KRPTK", "Pyeongtaek", "平澤", "平泽"),
        # Russian Far East
        ("RUVVO", "Vladivostok", "海參崴", "符拉迪沃斯托克"),
        # Southeast Asia
        ("VNSGN", "Ho Chi Minh City", "胡志明市", "胡志明市"),
        ("VNCMT", "Cai Mep", "蓋梅", "盖梅"),
        ("VNVUT", "Vung Tau", "頭頓", "头顿"),
        ("VNHPH", "Haiphong", "海防", "海防"),
        ("VNDAD", "Da Nang", "峴港", "岘港"),
        ("THLCH", "Laem Chabang", "林查班", "林查班"),
        ("THBKK", "Bangkok", "曼谷", "曼谷"),
        ("KHKOS", "Sihanoukville", "施亞努港", "西哈努克港"),
        ("KHPNH", "Phnom Penh", "金邊", "金边"),
        ("MMRGN", "Yangon", "仰光", "仰光"),
        ("MYPKG", "Port Klang", "巴生港", "巴生港"),
        ("MYTPP", "Tanjung Pelepas", "丹絨帕拉帕斯", "丹戎帕拉帕斯"),
        ("MYPGU", "Pasir Gudang", "巴西古當", "巴西古当"),
        ("MYPEN", "Penang", "檳城", "槟城"),
        ("MYBKI", "Kota Kinabalu", "亞庇", "亚庇"),
        ("MYKCH", "Kuching", "古晉", "古晋"),
        ("SGSIN", "Singapore", "新加坡", "新加坡"),
        ("IDJKT", "Jakarta", "雅加達", "雅加达"),
        ("IDSUB", "Surabaya", "泗水", "泗水"),
        ("IDSRG", "Semarang", "三寶瓏", "三宝垄"),
        ("IDBLW", "Belawan", "勿拉灣", "勿拉湾"),
        ("PHMNL", "Manila", "馬尼拉", "马尼拉"),
        ("PHCEB", "Cebu", "宿霧", "宿务"),
        ("PHDVO", "Davao", "納卯", "达沃"),
        # Indian subcontinent
        ("INNSA", "Nhava Sheva", "那瓦舍瓦", "那瓦舍瓦"),
        ("INBOM", "Mumbai", "孟買", "孟买"),
        ("INMUN", "Mundra", "蒙德拉", "蒙德拉"),
        ("INPAV", "Pipavav", "皮帕瓦夫", "皮帕瓦夫"),
        ("INMAA", "Chennai", "清奈", "金奈"),
        ("INCCU", "Kolkata", "加爾各答", "加尔各答"),
        ("INCOK", "Cochin", "科欽", "科钦"),
        ("INTUT", "Tuticorin", "杜蒂戈林", "杜蒂戈林"),
        ("INVTZ", "Visakhapatnam", "維沙卡帕特南", "维沙卡帕特南"),
        ("PKKHI", "Karachi", "喀拉蚩", "卡拉奇"),
        ("PKBQM", "Port Qasim", "卡西姆港", "卡西姆港"),
        ("BDCGP", "Chittagong", "吉大港", "吉大港"),
        ("LKCMB", "Colombo", "可倫坡", "科伦坡"),
        # Middle East
        ("AEJEA", "Jebel Ali", "傑貝阿里", "杰贝阿里"),
        ("AEDXB", "Dubai", "杜拜", "迪拜"),
        ("AEAUH", "Abu Dhabi", "阿布達比", "阿布扎比"),
        ("AESHJ", "Sharjah", "沙迦", "沙迦"),
        ("AEKLF", "Khor Fakkan", "豪爾費坎", "豪尔费坎"),
        ("OMSLL", "Salalah", "塞拉萊", "塞拉莱"),
        ("OMSOH", "Sohar", "蘇哈爾", "苏哈尔"),
        ("SAJED", "Jeddah", "吉達", "吉达"),
        ("SADMM", "Dammam", "達曼", "达曼"),
        ("IQUQR", "Umm Qasr", "烏姆蓋斯爾", "乌姆盖斯尔"),
        ("JOAQJ", "Aqaba", "阿卡巴", "亚喀巴"),
        ("LBBEY", "Beirut", "貝魯特", "贝鲁特"),
        ("ILHFA", "Haifa", "海法", "海法"),
        ("ILASH", "Ashdod", "阿什杜德", "阿什杜德"),
    ])
    + _ports("Europe", [
        ("NLRTM", "Rotterdam", "鹿特丹", "鹿特丹"),
        ("NLAMS", "Amsterdam", "阿姆斯特丹", "阿姆斯特丹"),
        ("BEANR", "Antwerp", "安特衛普", "安特卫普"),
        ("BEZEE", "Zeebrugge", "澤布呂赫", "泽布吕赫"),
        ("DEHAM", "Hamburg", "漢堡", "汉堡"),
        ("DEBRV", "Bremerhaven", "不來梅港", "不来梅港"),
        ("DEWVN", "Wilhelmshaven", "威廉港", "威廉港"),
        ("GBFXT", "Felixstowe", "費利克斯托", "费利克斯托"),
        ("GBSOU", "Southampton", "南安普敦", "南安普敦"),
        ("GBLGP", "London Gateway", "倫敦門戶港", "伦敦门户港"),
        ("GBTIL", "Tilbury", "提爾伯里", "蒂尔伯里"),
        ("GBLIV", "Liverpool", "利物浦", "利物浦"),
        ("IEDUB", "Dublin", "都柏林", "都柏林"),
        ("FRLEH", "Le Havre", "勒阿弗爾", "勒阿弗尔"),
        ("FRMRS", "Marseille", "馬賽", "马赛"),
        ("FRFOS", "Fos-sur-Mer", "福斯", "福斯"),
        ("ESVLC", "Valencia", "瓦倫西亞", "瓦伦西亚"),
        ("ESALG", "Algeciras", "阿爾赫西拉斯", "阿尔赫西拉斯"),
        ("ESBCN", "Barcelona", "巴塞隆納", "巴塞罗那"),
        ("ESBIO", "Bilbao", "畢爾包", "毕尔巴鄂"),
        ("PTLIS", "Lisbon", "里斯本", "里斯本"),
        ("PTSIE", "Sines", "錫尼什", "锡尼什"),
        ("ITGOA", "Genoa", "熱那亞", "热那亚"),
        ("ITSPE", "La Spezia", "拉斯佩齊亞", "拉斯佩齐亚"),
        ("ITLIV", "Livorno", "利佛諾", "里窝那"),
        ("ITNAP", "Naples", "拿坡里", "那不勒斯"),
        ("ITGIT", "Gioia Tauro", "焦亞陶羅", "焦亚陶罗"),
        ("ITTRS", "Trieste", "的里雅斯特", "的里雅斯特"),
        ("ITVCE", "Venice", "威尼斯", "威尼斯"),
        ("MTMAR", "Marsaxlokk", "馬爾薩什洛克", "马尔萨什洛克"),
        ("SIKOP", "Koper", "科佩爾", "科佩尔"),
        ("HRRJK", "Rijeka", "里耶卡", "里耶卡"),
        ("GRPIR", "Piraeus", "比雷埃夫斯", "比雷埃夫斯"),
        ("GRSKG", "Thessaloniki", "塞薩洛尼基", "塞萨洛尼基"),
        ("CYLMS", "Limassol", "利馬索爾", "利马索尔"),
        ("TRIST", "Istanbul", "伊斯坦堡", "伊斯坦布尔"),
        ("TRAMR", "Ambarli", "安巴利", "安巴利"),
        ("TRIZM", "Izmir", "伊茲密爾", "伊兹密尔"),
        ("TRMER", "Mersin", "梅爾辛", "梅尔辛"),
        ("ROCND", "Constanta", "康斯坦察", "康斯坦察"),
        ("BGVAR", "Varna", "瓦爾納", "瓦尔纳"),
        ("UAODS", "Odesa", "敖德薩", "敖德萨"),
        ("RUNVS", "Novorossiysk", "新羅西斯克", "新罗西斯克"),
        ("RULED", "Saint Petersburg", "聖彼得堡", "圣彼得堡"),
        ("PLGDN", "Gdansk", "格但斯克", "格但斯克"),
        ("PLGDY", "Gdynia", "格丁尼亞", "格丁尼亚"),
        ("LTKLJ", "Klaipeda", "克萊佩達", "克莱佩达"),
        ("LVRIX", "Riga", "里加", "里加"),
        ("EETLL", "Tallinn", "塔林", "塔林"),
        ("FIHEL", "Helsinki", "赫爾辛基", "赫尔辛基"),
        ("FIKTK", "Kotka", "科特卡", "科特卡"),
        ("SEGOT", "Gothenburg", "哥德堡", "哥德堡"),
        ("DKAAR", "Aarhus", "奧胡斯", "奥胡斯"),
        ("DKCPH", "Copenhagen", "哥本哈根", "哥本哈根"),
        ("NOOSL", "Oslo", "奧斯陸", "奥斯陆"),
    ])
    + _ports("Americas", [
        # United States
        ("USLAX", "Los Angeles", "洛杉磯", "洛杉矶"),
        ("USLGB", "Long Beach", "長灘", "长滩"),
        ("USOAK", "Oakland", "奧克蘭", "奥克兰"),
        ("USSEA", "Seattle", "西雅圖", "西雅图"),
        ("USTIW", "Tacoma", "塔科馬", "塔科马"),
        ("USPDX", "Portland", "波特蘭", "波特兰"),
        ("USANC", "Anchorage", "安克拉治", "安克雷奇"),
        ("USHNL", "Honolulu", "檀香山", "檀香山"),
        ("USNYC", "New York", "紐約", "纽约"),
        ("USBOS", "Boston", "波士頓", "波士顿"),
        ("USPHL", "Philadelphia", "費城", "费城"),
        ("USBAL", "Baltimore", "巴爾的摩", "巴尔的摩"),
        ("USORF", "Norfolk", "諾福克", "诺福克"),
        ("USCHS", "Charleston", "查爾斯頓", "查尔斯顿"),
        ("USSAV", "Savannah", "薩凡納", "萨凡纳"),
        ("USJAX", "Jacksonville", "傑克森維爾", "杰克逊维尔"),
        ("USMIA", "Miami", "邁阿密", "迈阿密"),
        ("USPEF", "Port Everglades", "埃佛格雷茲港", "埃弗格雷斯港"),
        ("USMOB", "Mobile", "莫比爾", "莫比尔"),
        ("USMSY", "New Orleans", "紐奧良", "新奥尔良"),
        ("USHOU", "Houston", "休士頓", "休斯敦"),
        # Canada
        ("CAVAN", "Vancouver", "溫哥華", "温哥华"),
        ("CAPRR", "Prince Rupert", "魯珀特王子港", "鲁珀特王子港"),
        ("CAMTR", "Montreal", "蒙特婁", "蒙特利尔"),
        ("CAHAL", "Halifax", "哈利法克斯", "哈利法克斯"),
        # Mexico and Central America
        ("MXZLO", "Manzanillo", "曼薩尼約", "曼萨尼约"),
        ("MXLZC", "Lazaro Cardenas", "拉薩羅卡德納斯", "拉萨罗卡德纳斯"),
        ("MXESE", "Ensenada", "恩森那達", "恩塞纳达"),
        ("MXVER", "Veracruz", "韋拉克魯斯", "韦拉克鲁斯"),
        ("MXATM", "Altamira", "阿爾塔米拉", "阿尔塔米拉"),
        ("GTPRQ", "Puerto Quetzal", "格查爾港", "克萨尔港"),
        ("GTSTC", "Santo Tomas de Castilla", "聖托馬斯德卡斯蒂利亞", "圣托马斯德卡斯蒂利亚"),
        ("HNPCR", "Puerto Cortes", "科爾特斯港", "科尔特斯港"),
        ("SVAQJ", "Acajutla", "阿卡胡特拉", "阿卡胡特拉"),
        ("CRLIO", "Puerto Limon", "利蒙港", "利蒙港"),
        ("PAMIT", "Manzanillo (Panama)", "曼薩尼約（巴拿馬）", "曼萨尼约（巴拿马）"),
        ("PACTB", "Cristobal", "克里斯托瓦爾", "克里斯托瓦尔"),
        ("PABLB", "Balboa", "巴爾博亞", "巴尔博亚"),
        # Caribbean
        ("JMKIN", "Kingston", "京斯敦", "金斯敦"),
        ("DOCAU", "Caucedo", "考塞多", "考塞多"),
        ("PRSJU", "San Juan", "聖胡安", "圣胡安"),
        ("TTPOS", "Port of Spain", "西班牙港", "西班牙港"),
        # South America
        ("COCTG", "Cartagena", "卡塔赫納", "卡塔赫纳"),
        ("COBAQ", "Barranquilla", "巴蘭基亞", "巴兰基亚"),
        ("COBUN", "Buenaventura", "布埃納文圖拉", "布埃纳文图拉"),
        ("VEPBL", "Puerto Cabello", "卡貝略港", "卡贝略港"),
        ("ECGYE", "Guayaquil", "瓜亞基爾", "瓜亚基尔"),
        ("PECLL", "Callao", "卡亞俄", "卡亚俄"),
        ("CLSAI", "San Antonio", "聖安東尼奧", "圣安东尼奥"),
        ("CLVAP", "Valparaiso", "瓦爾帕萊索", "瓦尔帕莱索"),
        ("CLIQQ", "Iquique", "伊基克", "伊基克"),
        ("BRSSZ", "Santos", "桑托斯", "桑托斯"),
        ("BRRIO", "Rio de Janeiro", "里約熱內盧", "里约热内卢"),
        ("BRPNG", "Paranagua", "巴拉那瓜", "巴拉那瓜"),
        ("BRITJ", "Itajai", "伊塔雅伊", "伊塔雅伊"),
        ("BRNVT", "Navegantes", "納韋甘特斯", "纳韦甘特斯"),
        ("BRRIG", "Rio Grande", "里奧格蘭德", "里奥格兰德"),
        ("BRSSA", "Salvador", "薩爾瓦多", "萨尔瓦多"),
        ("BRSUA", "Suape", "蘇阿佩", "苏阿佩"),
        ("BRPEC", "Pecem", "佩森", "佩森"),
        ("BRMAO", "Manaus", "瑪瑙斯", "马瑙斯"),
        ("ARBUE", "Buenos Aires", "布宜諾斯艾利斯", "布宜诺斯艾利斯"),
        ("UYMVD", "Montevideo", "蒙特維多", "蒙得维的亚"),
    ])
    + _ports("Africa", [
        # North Africa and Red Sea
        ("EGPSD", "Port Said", "塞得港", "塞得港"),
        ("EGALY", "Alexandria", "亞歷山卓", "亚历山大"),
        ("EGDAM", "Damietta", "杜姆亞特", "杜姆亚特"),
        ("EGSOK", "Sokhna", "蘇赫納", "苏赫纳"),
        ("MAPTM", "Tanger Med", "丹吉爾地中海港", "丹吉尔地中海港"),
        ("MACAS", "Casablanca", "卡薩布蘭卡", "卡萨布兰卡"),
        ("DZALG", "Algiers", "阿爾及爾", "阿尔及尔"),
        ("TNRAD", "Rades", "拉德斯", "拉德斯"),
        ("SDPZU", "Port Sudan", "蘇丹港", "苏丹港"),
        ("DJJIB", "Djibouti", "吉布地", "吉布提"),
        # West and Central Africa
        ("SNDKR", "Dakar", "達卡", "达喀尔"),
        ("GNCKY", "Conakry", "柯那克里", "科纳克里"),
        ("CIABJ", "Abidjan", "阿必尚", "阿比让"),
        ("GHTEM", "Tema", "特馬", "特马"),
        ("GHTKD", "Takoradi", "塔科拉迪", "塔科拉迪"),
        ("TGLFW", "Lome", "洛美", "洛美"),
        ("BJCOO", "Cotonou", "科托努", "科托努"),
        ("NGLOS", "Lagos", "拉哥斯", "拉各斯"),
        ("NGAPP", "Apapa (Lagos)", "阿帕帕（拉哥斯）", "阿帕帕（拉各斯）"),
        ("NGTIN", "Tin Can Island (Lagos)", "廷坎島（拉哥斯）", "廷坎岛（拉各斯）"),
        ("CMDLA", "Douala", "杜阿拉", "杜阿拉"),
        ("CGPNR", "Pointe-Noire", "黑角", "黑角"),
        ("AOLAD", "Luanda", "羅安達", "罗安达"),
        # Southern and East Africa
        ("NAWVB", "Walvis Bay", "鯨灣港", "鲸湾港"),
        ("ZACPT", "Cape Town", "開普敦", "开普敦"),
        ("ZAPLZ", "Port Elizabeth", "伊莉莎白港", "伊丽莎白港"),
        ("ZADUR", "Durban", "德班", "德班"),
        ("MZMPM", "Maputo", "馬布多", "马普托"),
        ("MZBEW", "Beira", "貝拉", "贝拉"),
        ("TZDAR", "Dar es Salaam", "三蘭港", "达累斯萨拉姆"),
        ("KEMBA", "Mombasa", "蒙巴薩", "蒙巴萨"),
        ("MGTMM", "Toamasina", "圖阿馬西納", "图阿马西纳"),
        ("MUPLU", "Port Louis", "路易港", "路易港"),
    ])
    + _ports("Oceania", [
        ("AUSYD", "Sydney", "雪梨", "悉尼"),
        ("AUMEL", "Melbourne", "墨爾本", "墨尔本"),
        ("AUBNE", "Brisbane", "布里斯本", "布里斯班"),
        ("AUFRE", "Fremantle", "弗里曼特爾", "弗里曼特尔"),
        ("AUADL", "Adelaide", "阿得雷德", "阿德莱德"),
        ("AUDRW", "Darwin", "達爾文", "达尔文"),
        ("NZAKL", "Auckland", "奧克蘭", "奥克兰"),
        ("NZTRG", "Tauranga", "陶朗加", "陶朗加"),
        ("NZNPE", "Napier", "內皮爾", "内皮尔"),
        ("NZLYT", "Lyttelton", "利特爾頓", "利特尔顿"),
        ("FJSUV", "Suva", "蘇瓦", "苏瓦"),
        ("PGPOM", "Port Moresby", "莫士比港", "莫尔兹比港"),
        ("PGLAE", "Lae", "萊城", "莱城"),
        ("NCNOU", "Noumea", "努美阿", "努美阿"),
    ])
)
PORT_BY_CODE = {p.code: p for p in PORTS}


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


# --------------------------------------------------------------------------- helpers
_NAME_FIELD = {"en": "name_en", "zh_hant": "name_zh_hant", "zh_tw": "name_zh_hant", "zh_hk": "name_zh_hant",
               "zh_mo": "name_zh_hant", "zh_hans": "name_zh_hans", "zh_cn": "name_zh_hans",
               "zh_sg": "name_zh_hans", "zh": "name_zh_hans"}


def name_field(locale) -> str:
    """The name attribute for a locale ('en', 'zh_Hant', 'zh_Hans'; 'zh-TW' etc. accepted), else name_en."""
    key = str(locale or "en").replace("-", "_").lower()
    return _NAME_FIELD.get(key, "name_en")


def localized_name(item, locale="en") -> str:
    """An item's name in locale, falling back to its English name, then its code."""
    if item is None:
        return ""
    return getattr(item, name_field(locale), "") or item.name_en or item.code


def port_name(code, locale="en") -> str:
    """A port's name in 'en' / 'zh_Hant' / 'zh_Hans'; English if that is empty; the code if unknown."""
    code = (code or "").strip().upper()
    port = PORT_BY_CODE.get(code)
    return localized_name(port, locale) if port else code
