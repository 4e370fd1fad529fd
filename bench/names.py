"""Synthetic party names and denials as export-control denials carry them, deterministic by seed.

Organisations (three in four) are an optional city, one or two coined distinctive words built
from per-language syllables, zero to three industry words drawn with a Zipf-like skew, and the
country's legal form; persons are given, patronymic and family names from per-language pools.
Aliases are the same party in its own script (Cyrillic, Han, Persian or Arabic letters,
Hangul), in English words, in another romanisation, with its legal form spelt out or changed,
or shortened. All names are invented; the syllables and pools are common words and names.
"""

# ruff: noqa: RUF001 (Turkish names are spelt with a dotless i)

from __future__ import annotations

import bisect
import functools
import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from aggregates.denial import Item, item, party, three_years_after
from node.denials import DenialDraft

_T = TypeVar("_T")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Industry words, most frequent first: English | Russian (Latin) | pinyin | Han | Turkish |
# Persian (Latin) | Persian | Arabic | German | Malay.
_INDUSTRY_TABLE = """
Trading|Torgovyy Dom|Maoyi|贸易|Ticaret|Tejarat|تجارت|للتجارة|Handel|Perdagangan
Technology|Tekhnologii|Keji|科技|Teknoloji|Fanavari|فناوری|للتكنولوجيا|Technologie|Teknologi
Electronics|Elektronika|Dianzi|电子|Elektronik|Electronic|الکترونیک|للإلكترونيات|Elektronik|Elektronik
International|Mezhdunarodnyy|Guoji|国际|Uluslararası|Beynolmelal|بین‌الملل|الدولية|International|Antarabangsa
Engineering|Inzhiniring|Gongcheng|工程|Mühendislik|Mohandesi|مهندسی|للهندسة|Engineering|Kejuruteraan
Industrial|Promyshlennyy|Shiye|实业|Sanayi|Sanat|صنعت|الصناعية|Industrie|Perindustrian
Import Export|Vneshtorg|Jinchukou|进出口|Dış Ticaret|Bazargani|بازرگانی|للاستيراد والتصدير|Import-Export|Import Eksport
General Trading|Torgovaya Kompaniya|Shangmao|商贸|Genel Ticaret|Tejarat Gostar|تجارت گستر|للتجارة العامة|Handelsgesellschaft|Perdagangan Am
Machinery|Mashinostroyeniye|Jixie|机械|Makina|Mashin Sazi|ماشین سازی|للآلات|Maschinenbau|Jentera
Equipment|Oborudovaniye|Shebei|设备|Ekipman|Tajhizat|تجهیزات|للمعدات|Anlagen|Peralatan
Chemical|Khimiya|Huagong|化工|Kimya|Shimi|شیمی|للكيماويات|Chemie|Kimia
Logistics|Logistika|Wuliu|物流|Lojistik|Lojistik|لجستیک|للخدمات اللوجستية|Logistik|Logistik
Precision|Tochmash|Jingmi|精密|Hassas|Daghigh|دقیق|الدقيقة|Präzision|Presisi
Machine Tool|Stanko|Jichuang|机床|Takım Tezgahları|Mashin Abzar|ماشین ابزار|للعدد والآلات|Werkzeugmaschinen|Alat Mesin
Instruments|Pribor|Yiqi|仪器|Cihaz|Abzar|ابزار|للأجهزة|Messtechnik|Instrumen
Systems|Sistemy|Xitong|系统|Sistemleri|Systems|سیستم|للأنظمة|Systeme|Sistem
Scientific|Nauchnyy|Kexue|科学|Bilimsel|Elmi|علمی|العلمية|Labortechnik|Saintifik
Research Institute|NII|Yanjiusuo|研究所|Araştırma Enstitüsü|Pazhouheshkadeh|پژوهشکده|معهد البحوث|Forschungsinstitut|Institut Penyelidikan
Development|Razvitiye|Fazhan|发展|Geliştirme|Tosee|توسعه|للتطوير|Entwicklung|Pembangunan
Automation|Avtomatika|Zidonghua|自动化|Otomasyon|Automasion|اتوماسیون|للأتمتة|Automatisierung|Automasi
Materials|Materialy|Cailiao|材料|Malzeme|Mavad|مواد|للمواد|Werkstoffe|Bahan
Components|Komponenty|Yuanqijian|元器件|Bileşen|Ghataat|قطعات|للمكونات|Komponenten|Komponen
Supply|Snabzheniye|Gongyinglian|供应链|Tedarik|Tamin|تامین|للتوريدات|Vertrieb|Bekalan
Investment|Invest|Touzi|投资|Yatırım|Sarmayeh Gozari|سرمایه گذاری|للاستثمار|Beteiligungen|Pelaburan
Energy|Energo|Nengyuan|能源|Enerji|Energy|انرژی|للطاقة|Energie|Tenaga
Aviation|Avia|Hangkong|航空|Havacılık|Havapeyma|هواپیما|للطيران|Luftfahrt|Penerbangan
Optics|Optika|Guangxue|光学|Optik|Optic|اپتیک|للبصريات|Optik|Optik
Photonics|Fotonika|Guangdian|光电|Fotonik|Photonic|فوتونیک|للضوئيات|Photonik|Fotonik
Laser|Lazer|Jiguang|激光|Lazer|Laser|لیزر|لليزر|Laser|Laser
Metallurgy|Metallurgiya|Yejin|冶金|Metalurji|Metallurgy|متالورژی|للمعادن|Metallurgie|Metalurgi
Shipping|Sudokhodstvo|Hangyun|航运|Denizcilik|Kashtirani|کشتیرانی|للشحن|Reederei|Perkapalan
Marine|Morskoy|Haiyang|海洋|Deniz|Daryaei|دریایی|البحرية|Marine|Marin
Semiconductor|Poluprovodnik|Bandaoti|半导体|Yarı İletken|Nimeh Hadi|نیمه هادی|لأشباه الموصلات|Halbleiter|Semikonduktor
Microelectronics|Mikroelektronika|Weidianzi|微电子|Mikroelektronik|Micro Electronic|میکروالکترونیک|للإلكترونيات الدقيقة|Mikroelektronik|Mikroelektronik
Industries|Industriya|Gongye|工业|Endüstri|Sanaye|صنایع|للصناعات|Industrie|Industri
Group|Gruppa|Jituan|集团|Grup|Goruh|گروه|مجموعة|Gruppe|Kumpulan
Holding|Kholding|Konggu|控股|Holding|Holding|هلدینگ|القابضة|Holding|Holdings
Manufacturing|Proizvodstvo|Zhizao|制造|İmalat|Towlidi|تولیدی|للتصنيع|Fertigung|Pembuatan
Services|Servis|Fuwu|服务|Hizmetleri|Khadamat|خدمات|للخدمات|Service|Perkhidmatan
Telecom|Telekom|Tongxin|通信|Telekom|Mokhaberat|مخابرات|للاتصالات|Telekom|Telekom
Petrochemical|Neftekhim|Shihua|石化|Petrokimya|Petroshimi|پتروشیمی|للبتروكيماويات|Petrochemie|Petrokimia
Aerospace|Aerokosmos|Hangtian|航天|Havacılık ve Uzay|Havafaza|هوافضا|للفضاء والطيران|Luft- und Raumfahrt|Aeroangkasa
Navigation|Navigatsiya|Daohang|导航|Navigasyon|Navbari|ناوبری|للملاحة|Navigation|Navigasi
Vacuum|Vakuum|Zhenkong|真空|Vakum|Khala|خلاء|للتفريغ|Vakuumtechnik|Vakum
Hydraulics|Gidravlika|Yeya|液压|Hidrolik|Hydraulic|هیدرولیک|للهيدروليك|Hydraulik|Hidraulik
Robotics|Robototekhnika|Jiqiren|机器人|Robotik|Robotic|رباتیک|للروبوتات|Robotik|Robotik
Electric|Elektro|Dianqi|电气|Elektrik|Bargh|برق|الكهربائية|Elektro|Elektrik
"""
_COLUMNS = ("en", "ru", "zh", "han", "tr", "fa", "fa_script", "ar_script", "de", "ms")
INDUSTRY: tuple[dict[str, str], ...] = tuple(
    dict(zip(_COLUMNS, line.split("|"), strict=True))
    for line in _INDUSTRY_TABLE.strip().splitlines()
)
_INDUSTRY_CUM = tuple(itertools.accumulate(1 / (rank + 1) ** 1.1 for rank in range(len(INDUSTRY))))

# Chinese syllables with a fixed character each (coined names and given names).
_HAN = dict(
    pair.split(":")
    for pair in _words(
        "lan:蓝 xin:信 tong:通 jing:晶 yue:悦 yuan:远 cheng:成 hua:华 tai:泰 kang:康 rui:瑞 "
        "feng:丰 hong:宏 sheng:盛 da:达 xing:兴 tian:天 long:龙 hai:海 bo:博 chuang:创 wei:威 "
        "heng:恒 jia:嘉 mei:美 an:安 fu:富 guang:光 ming:明 zhong:中 yu:宇 chen:辰 kai:凯 "
        "tuo:拓 xun:讯 li:力 jun:骏 rong:荣 de:德 yi:益 hao:浩 qi:启 ze:泽 run:润 zhi:智 "
        "neng:能 ke:科 wan:万 jin:金 xiang:翔 dong:东 nan:南 sen:森 ao:奥 pu:普 lian:联 "
        "yang:扬 xu:旭 jian:建 wen:文 ping:平 shun:顺 peng:鹏 hui:辉"
    )
)
_ZH_SYLLABLES = tuple(_HAN)
_ZH_FAMILY = (  # pinyin, Han, Cantonese or Wade-Giles spelling
    ("Wang", "王", "Wong"), ("Li", "李", "Lee"), ("Zhang", "张", "Cheung"), ("Liu", "刘", "Lau"),
    ("Chen", "陈", "Chan"), ("Yang", "杨", "Yeung"), ("Huang", "黄", "Wong"), ("Zhao", "赵", "Chiu"),
    ("Wu", "吴", "Ng"), ("Zhou", "周", "Chow"), ("Xu", "徐", "Hsu"), ("Sun", "孙", "Suen"),
    ("Ma", "马", "Ma"), ("Zhu", "朱", "Chu"), ("Hu", "胡", "Woo"), ("Guo", "郭", "Kwok"),
    ("He", "何", "Ho"), ("Lin", "林", "Lam"), ("Luo", "罗", "Law"), ("Gao", "高", "Ko"),
    ("Liang", "梁", "Leung"), ("Zheng", "郑", "Cheng"), ("Xie", "谢", "Tse"), ("Tang", "唐", "Tong"),
    ("Feng", "冯", "Fung"), ("Deng", "邓", "Tang"), ("Cao", "曹", "Tso"), ("Zeng", "曾", "Tsang"),
)  # fmt: skip
_CITIES_HAN = {
    "Shenzhen": "深圳", "Suzhou": "苏州", "Ningbo": "宁波", "Tianjin": "天津", "Shanghai": "上海",
    "Beijing": "北京", "Guangzhou": "广州", "Chengdu": "成都", "Xi'an": "西安", "Wuhan": "武汉",
    "Dalian": "大连", "Hangzhou": "杭州", "Harbin": "哈尔滨", "Hong Kong": "香港", "Kowloon": "九龙",
}  # fmt: skip

# Korean syllables with Hangul (DPRK romanisation first, then the South's).
_HANGUL = dict(
    pair.split(":")
    for pair in _words(
        "chol:철 min:민 kwang:광 song:성 il:일 nam:남 ho:호 jin:진 yong:용 hyok:혁 su:수 "
        "myong:명 hui:희 ok:옥 sun:순 gyong:경 hak:학 chun:춘 ryong:룡 man:만 sik:식 jun:준 "
        "hyon:현 chan:찬 sok:석 hwa:화 kang:강 ryon:련 bong:봉 tan:단 chon:천 hung:흥 pyong:평 "
        "rim:림 hyang:향 dok:덕 kum:금 sam:삼 chang:창 un:운 ha:하 po:포"
    )
)
_KO_SYLLABLES = tuple(_HANGUL)
_KO_FAMILY = (
    ("Kim", "Kim", "김"), ("Ri", "Lee", "리"), ("Pak", "Park", "박"), ("Choe", "Choi", "최"),
    ("Jong", "Jeong", "정"), ("Kang", "Kang", "강"), ("Jo", "Cho", "조"), ("Yun", "Yoon", "윤"),
    ("Jang", "Jang", "장"), ("Han", "Han", "한"), ("O", "Oh", "오"), ("Ryu", "Yu", "류"),
    ("Hwang", "Hwang", "황"), ("An", "Ahn", "안"), ("Hong", "Hong", "홍"), ("Mun", "Moon", "문"),
)  # fmt: skip

# Syllables and roots for coined words, per language.
_SYLLABLES = {
    "ru": "ka ro ne vi lo za ri to mi sa no ve ta ko ra li du ga bo ny tor zan mir kor vel dar "
    "sin tek lan mar pol rus sib ros nev ur al ar in on ex ok il om en um as ov ant ion",
    "fa": "ka vi yan par sa ya ni kan mehr far zan be hin ta van ro sha dan na vid ar az pe "
    "rad man sah bar pay ram nik tab kar das hom neg gos fo ro ji na sar",
    "ar": "ra ma sa mi lat nour ba da ja bal sham ra fi dain kha leej sa lam naj hi lal zah "
    "ra ha mad wa fa qa bas tar mar jan sul tan am ir",
    "tr": "ak ka ra de mir yıl dız öz er gök ay kuş tek san bil mak taş kan doğ an ata bay "
    "sel ar el vin tu na çe lik ser han bey koç ur al",
    "ur": "sha zad fa ri han za ka mil ta rik no or ha bib ras ul me hr is la ba shir ab dul "
    "sa lim ja ved ma lik",
    "hi": "shak ti vi kram ra ja san deep ma ni pra kash an ant su ri ta na ya dev sa ga ru hi",
    "ko": " ".join(_KO_SYLLABLES),
    "ms": "ma ju ja ya per da na ce ria sin ar te guh bi la me ga ba ru in tan sa ri kem",
    "de": "fein werk hart tec nord süd opt mess tron sys bau strahl kraft stahl präz dyn ex al "
    "berg feld haus lin ter vak um",
    "el": "ar go ni reus he li os kro nos del ta ther mi kos pa na gio ti a thi ke ra ly",
    "zh": " ".join(_ZH_SYLLABLES),
}
_ROOTS = {
    "ru": "zenit kron almaz volga ural sever vostok orion vega kvant impuls lazer radio elektro "
    "avia spets khim stal neva baykal angara sokol berkut granit rubin topaz kristall signal "
    "vektor polyus meridian azimut gorizont planeta kosmos raduga zarya iskra vympel strela "
    "shtorm etalon resurs integral mikron giro termo gidro avtomat kontur tsiklon",
    "fa": "kaviyan arian sepehr pars tavan farzan behin rayan pouya sahand damavand alborz "
    "kimia paya padid pishro nikan sana tadbir rasa arvin navid azar hamoun pegah",
    "ar": "barada nour amal fajr sham rafidain khaleej salam najm hilal zahra buraq yarmouk "
    "qasioun furat anwar",
    "tr": "aksa erdemir yıldız karataş özkan demirtaş ermak teknosan bilgetek akdemir gökay atlas",
    "ur": "shahzad noor hamza faisal zafar madina habib kashif iqbal crescent indus",
    "hi": "bharat shakti vikram agni tirupati ganesh surya",
    "ms": "sinar cahaya mega jaya maju perdana gemilang bina teguh nusantara",
    "de": "feinwerk hartek lasotec nordmann optronik messtron",
    "el": "aegean olympos poseidon kronos argo helios nireus",
    "ko": "chosun kangsong ryonbong tanchon namgang",
    "zh": "",
    "en": "gulf star falcon pearl crescent horizon global royal golden silver oasis desert "
    "eagle emirates arabian pioneer summit zenith alpha delta prime",
}
_ROOT_WORDS = {lang: _words(text) for lang, text in _ROOTS.items()}
_SYLLABLE_WORDS = {lang: _words(text) for lang, text in _SYLLABLES.items()}
_SUFFIXES_RU = _words(
    "prom tekh mash pribor snab servis komplekt invest trans opt stroy energo sistem tekhnika "
    "khim stal lab soft tron on iks ika"
)


@dataclass(frozen=True, slots=True)
class Form:
    short: str
    long: str
    script: str
    english: str
    prefix: float  # the share of names where it comes first ("OOO Zenitprom")


def _forms(spec: str) -> tuple[tuple[Form, ...], tuple[float, ...]]:
    forms, weights = [], []
    for line in spec.strip().splitlines():
        short, long, script, english, prefix, weight = line.split("|")
        forms.append(Form(short, long, script, english, float(prefix)))
        weights.append(float(weight))
    return tuple(forms), tuple(itertools.accumulate(weights))


_RU_FORMS = """
OOO|Obshchestvo s Ogranichennoy Otvetstvennostyu|ООО|LLC|0.65|6
AO|Aktsionernoye Obshchestvo|АО|JSC|0.65|3
ZAO|Zakrytoye Aktsionernoye Obshchestvo|ЗАО|CJSC|0.65|1
PAO|Publichnoye Aktsionernoye Obshchestvo|ПАО|PJSC|0.65|0.5
NPO|Nauchno-Proizvodstvennoye Obyedineniye|НПО|Research and Production Association|0.8|1
"""
_CN_FORMS = "Co., Ltd.|Company Limited|有限公司|Co., Ltd.|0|8\nCo. Ltd|Company Limited|有限公司|Co., Ltd.|0|2"
_PROFILES_SPEC: dict[str, tuple[float, str, str, str, str]] = {
    # country: (weight, coined-word language, person language, cities, legal forms)
    "RU": (18, "ru", "ru", "Moskva Sankt-Peterburg Novosibirsk Yekaterinburg Kazan Samara Tomsk Perm Tula", _RU_FORMS),
    "BY": (2, "ru", "ru", "Minsk Gomel Vitebsk Brest",
           "OOO|Obshchestvo s Ogranichennoy Otvetstvennostyu|ООО|LLC|0.65|2\n"
           "OAO|Otkrytoye Aktsionernoye Obshchestvo|ОАО|OJSC|0.65|1"),
    "KZ": (3, "ru", "ru", "Almaty Astana Karaganda Shymkent",
           "TOO|Tovarishchestvo s Ogranichennoy Otvetstvennostyu|ТОО|LLP|0.6|3\n"
           "AO|Aktsionernoye Obshchestvo|АО|JSC|0.6|1"),
    "CN": (16, "zh", "zh", "Shenzhen Suzhou Ningbo Tianjin Shanghai Beijing Guangzhou Chengdu Xi'an Wuhan Dalian Hangzhou Harbin", _CN_FORMS),
    "HK": (6, "zh", "zh", "Hong_Kong Kowloon",
           "Limited|Limited|有限公司|Ltd.|0|4\nCo., Limited|Company Limited|有限公司|Co., Ltd.|0|3\n"
           "Ltd|Limited|有限公司|Ltd.|0|2"),
    "IR": (11, "fa", "fa", "Tehran Isfahan Tabriz Mashhad Shiraz Karaj",
           "Co.|Company|شرکت|Co.|0|4\nPJS|Private Joint Stock Company|سهامی خاص|PJSC|0|2\n"
           "Ltd.|Limited|با مسئولیت محدود|Ltd.|0|1\n|||Co.|0|2"),
    "AE": (9, "ar", "ar", "Dubai Sharjah Ajman Jebel_Ali",
           "FZE|Free Zone Establishment|م.م.ح|FZE|0|4\nFZCO|Free Zone Company|م.م.ح|FZCO|0|3\n"
           "LLC|Limited Liability Company|ذ.م.م|LLC|0|5\nFZ-LLC|Free Zone Limited Liability Company|ذ.م.م|LLC|0|1"),
    "SY": (3, "ar", "ar", "Damascus Aleppo Homs Latakia",
           "Est.|Establishment|مؤسسة|Est.|0|2\nCo.|Company|شركة|Co.|0|3\n"
           "LLC|Limited Liability Company|ش.م.م|LLC|0|1"),
    "PK": (5, "ur", "ur", "Karachi Lahore Islamabad Rawalpindi Faisalabad",
           "(Pvt.) Ltd.|(Private) Limited||Pvt. Ltd.|0|6\n(Pvt) Ltd|(Private) Limited||Pvt. Ltd.|0|2\n"
           "& Co.|and Company||& Co.|0|1"),
    "TR": (6, "tr", "tr", "Istanbul Ankara Izmir Bursa Kocaeli Konya",
           "Ltd. Şti.|Limited Şirketi||Ltd.|0|4\nSan. ve Tic. Ltd. Şti.|Sanayi ve Ticaret Limited Şirketi||Ltd.|0|4\n"
           "A.Ş.|Anonim Şirketi||Inc.|0|3\nSan. ve Tic. A.Ş.|Sanayi ve Ticaret Anonim Şirketi||Inc.|0|2"),
    "KP": (3, "ko", "ko", "Korea Korea Pyongyang Nampo",
           "Corporation|Corporation||Corp.|0|4\nCompany|Company||Co.|0|2\n"
           "General Corporation|General Corporation||Corp.|0|2"),
    "KR": (2, "ko", "ko", "Seoul Busan Incheon Changwon",
           "Co., Ltd.|Company Limited||Co., Ltd.|0|5\nInc.|Incorporated||Inc.|0|2\nCorp.|Corporation||Corp.|0|1"),
    "MY": (3, "ms", "ms", "Penang Johor",
           "Sdn Bhd|Sendirian Berhad||Private Ltd.|0|6\nSdn. Bhd.|Sendirian Berhad||Private Ltd.|0|2\n"
           "Bhd|Berhad||Ltd.|0|1"),
    "SG": (2, "zh", "zh", "Singapore", "Pte. Ltd.|Private Limited||Pte. Ltd.|0|5\nPte Ltd|Private Limited||Pte. Ltd.|0|3"),
    "IN": (3, "hi", "hi", "Mumbai Bengaluru Pune Chennai Hyderabad",
           "Pvt. Ltd.|Private Limited||Pvt. Ltd.|0|5\nPrivate Limited|Private Limited||Pvt. Ltd.|0|2\n"
           "Ltd.|Limited||Ltd.|0|2\nLLP|Limited Liability Partnership||LLP|0|1"),
    "DE": (2, "de", "de", "Hamburg Berlin Frankfurt München Stuttgart",
           "GmbH|Gesellschaft mit beschränkter Haftung||Ltd.|0|6\nGmbH & Co. KG|GmbH und Compagnie Kommanditgesellschaft||KG|0|2\n"
           "AG|Aktiengesellschaft||AG|0|1"),
    "GR": (2, "el", "el", "Piraeus Athens Thessaloniki",
           "S.A.|Anonymi Etaireia|Α.Ε.|SA|0|4\nLtd|Limited||Ltd.|0|2\nI.K.E.|Idiotiki Kefalaiouchiki Etaireia|Ι.Κ.Ε.|PC|0|2"),
    "UZ": (1.5, "tr", "ru", "Tashkent Samarkand", "MChJ|Masuliyati Cheklangan Jamiyat||LLC|0.5|3\nLLC|Limited Liability Company||LLC|0|2"),
    "AM": (1.5, "ru", "ru", "Yerevan Gyumri", "LLC|Limited Liability Company||LLC|0|3\nCJSC|Closed Joint Stock Company||CJSC|0|2"),
    "GE": (1, "ru", "ru", "Tbilisi Batumi", "LLC|Limited Liability Company||LLC|0|3\nJSC|Joint Stock Company||JSC|0|1"),
}  # fmt: skip
#: Where a second party of a denial often sits: transshipment hubs.
HUBS = ("AE", "TR", "HK", "KZ", "AM", "GE", "MY", "SG", "CN")
_CITY_SHARE = {"CN": 0.6, "KP": 0.5, "KR": 0.2, "TR": 0.2, "HK": 0.1, "AE": 0.15}


@dataclass(frozen=True, slots=True)
class _Profile:
    country: str
    lang: str
    people: str
    cities: tuple[str, ...]
    forms: tuple[Form, ...]
    form_cum: tuple[float, ...]
    native: float  # the share of names in the country's own industry words
    city_share: float


_NATIVE_KEY = {"ru": "ru", "tr": "tr", "fa": "fa", "de": "de", "ms": "ms"}
_NATIVE = {"ru": 0.5, "tr": 0.85, "fa": 0.5, "de": 0.8, "ms": 0.5}
PROFILES = {
    code: _Profile(
        code,
        lang,
        people,
        tuple(c.replace("_", " ") for c in cities.split()),
        *_forms(forms),
        native=_NATIVE.get(lang, 0.0) if code not in ("AM", "GE", "UZ") else 0.0,
        city_share=_CITY_SHARE.get(code, 0.12),
    )
    for code, (_, lang, people, cities, forms) in _PROFILES_SPEC.items()
}
_COUNTRIES = tuple(_PROFILES_SPEC)
_COUNTRY_CUM = tuple(itertools.accumulate(spec[0] for spec in _PROFILES_SPEC.values()))


# Scripts ------------------------------------------------------------------------------------

_CYR_DIGRAPHS = (("shch", "щ"), ("kh", "х"), ("zh", "ж"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"))
_CYR = dict(zip("abvgdezijklmnoprstufhcxw", "абвгдезийклмнопрстуфхцкв", strict=True))
_IOTATED = {"a": "я", "e": "е", "o": "ё", "u": "ю", "i": "и"}
_VOWELS = set("aeiouy")


def cyrillic(text: str) -> str:
    """A Russian-style Latin spelling back in Cyrillic (Zenitprom Elektronika → Зенитпром Электроника)."""
    out = []
    for word in text.split(" "):
        lower, letters, i = word.lower(), [], 0
        while i < len(lower):
            for latin, cyr in _CYR_DIGRAPHS:
                if lower.startswith(latin, i):
                    letters.append(cyr)
                    i += len(latin)
                    break
            else:
                ch, prev = lower[i], lower[i - 1] if i else ""
                nxt = lower[i + 1] if i + 1 < len(lower) else ""
                if ch == "y" and nxt in _IOTATED:
                    soft = "ь" if prev and prev not in _VOWELS and prev != "-" else ""
                    letters.append(soft + _IOTATED[nxt])
                    i += 2
                    continue
                if ch == "y":
                    letters.append("й" if prev in _VOWELS else "ы")
                elif ch == "e" and (not prev or prev in _VOWELS or prev == "-"):
                    letters.append("э")
                elif ch == "x":
                    letters.append("кс")
                else:
                    letters.append(_CYR.get(ch, ch))
                i += 1
        cyr_word = "".join(letters)
        out.append(cyr_word[:1].upper() + cyr_word[1:] if word[:1].isupper() else cyr_word)
    return " ".join(out)


_AR_LETTERS = dict(zip("bptjhdrzsfqkgclmnvwyaiou", "ببتجهدرزسفقكجكلمنفويايوو", strict=True))
_FA_LETTERS = {**_AR_LETTERS, "p": "پ", "g": "گ", "k": "ک", "c": "ک", "y": "ی", "i": "ی", "v": "و"}
_AR_PAIRS = {"sh": "ش", "kh": "خ", "gh": "غ", "th": "ث", "dh": "ذ", "ou": "و", "ee": "ي", "aa": "ا"}
_FA_PAIRS = {**_AR_PAIRS, "ch": "چ", "zh": "ژ", "ee": "ی"}


def arabic_script(text: str, *, persian: bool) -> str:
    """A rough Persian or Arabic spelling of a romanised name: long vowels written, e dropped."""
    letters_of, pairs = (_FA_LETTERS, _FA_PAIRS) if persian else (_AR_LETTERS, _AR_PAIRS)
    words = []
    for word in text.lower().replace("-", " ").split():
        out, i = [], 0
        if word[0] in "aeiou":
            out.append("آ" if persian and word[0] == "a" else "ا")
            i = 1 if word[0] in "ae" else 0
        while i < len(word):
            if word[i : i + 2] in pairs:
                out.append(pairs[word[i : i + 2]])
                i += 2
                continue
            ch = word[i]
            out.append("ه" if ch == "e" and i == len(word) - 1 else letters_of.get(ch, ""))
            i += 1
        words.append("".join(out))
    return " ".join(w for w in words if w)


# Transliteration variants -------------------------------------------------------------------

_VARIANTS = (
    ("ks", "x"), ("x", "ks"), ("kh", "h"), ("ou", "u"), ("yu", "iu"), ("ya", "ia"), ("ye", "e"),
    ("iy", "i"), ("y", "i"), ("v", "w"), ("zh", "j"), ("gh", "q"), ("ch", "tch"), ("ts", "tz"),
    ("ei", "ey"), ("ee", "i"), ("oo", "u"), ("u", "ou"), ("ai", "ay"), ("q", "k"), ("c", "k"),
    ("ş", "s"), ("ı", "i"), ("ğ", "g"), ("ü", "ue"), ("ö", "oe"), ("ç", "c"), ("ä", "ae"),
    ("j", "dj"),
)  # fmt: skip
_DOUBLES = tuple(c + c for c in "lsnmtrpkf")


def transliterate(word: str, rng: random.Random) -> str:
    """The word in another plausible romanisation (ks/x, y/i, ou/u, kh/h, doubled letters …)."""
    lower = word.lower()
    options = [(a, b) for a, b in _VARIANTS if a in lower]
    options += [(d, d[0]) for d in _DOUBLES if d in lower]
    if not options:
        return word
    old, new = options[rng.randrange(len(options))]
    at = lower.index(old)
    changed = lower[:at] + new + lower[at + len(old) :]
    return changed[:1].upper() + changed[1:] if word[:1].isupper() else changed


def typo(word: str, rng: random.Random) -> str:
    """One slip: a letter dropped, doubled, swapped with the next, or another in its place."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice("aeiounrstlk") + word[i + 1 :]


# Names ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartyName:
    """One synthetic party: its name, aliases and country, and the pieces variants are made of."""

    name: str
    aliases: tuple[str, ...]
    country: str
    kind: str  # "organization" or "person"
    core: str  # the distinctive words as written in the name
    form: str  # the legal form as written ('' for none, and for persons)
    form_long: str
    city: str


def _coined(lang: str, rng: random.Random) -> tuple[str, str]:
    """A coined distinctive word, capitalised, with its pinyin/Hangul syllables for the script."""
    roots = _ROOT_WORDS[lang]
    if lang == "en":
        return rng.choice(roots).capitalize(), ""
    syllables = _SYLLABLE_WORDS[lang]
    r = rng.random()
    if lang == "ru" and r < 0.4:
        root, suffix = rng.choice(roots), rng.choice(_SUFFIXES_RU)
        if rng.random() < 0.15:
            return f"{root.capitalize()}-{suffix.capitalize()}", ""
        return (root + suffix).capitalize(), ""
    if roots and r < 0.5 * min(1.0, len(roots) / 50):
        return rng.choice(roots).capitalize(), ""
    picked = [syllables[rng.randrange(len(syllables))]]
    length = 2 if rng.random() < 0.55 else 3
    while len(picked) < length:
        syllable = syllables[rng.randrange(len(syllables))]
        if syllable != picked[-1]:
            picked.append(syllable)
    return "".join(picked).capitalize(), " ".join(picked)


def _script_word(word: str, syllables: str, lang: str) -> str:
    if lang == "zh":
        return "".join(_HAN[s] for s in syllables.split()) if syllables else ""
    if lang in ("ru",):
        return cyrillic(word)
    if lang in ("fa", "ar"):
        return arabic_script(word, persian=lang == "fa")
    return ""


_BY_ENGLISH = {word["en"]: word for word in INDUSTRY}
#: Industry words some countries' names carry more often than the overall skew gives.
_FAVOURED = {"AE": ("General Trading", 0.3), "GR": ("Shipping", 0.5), "PK": ("Engineering", 0.2)}


def _industry(rng: random.Random, country: str) -> list[dict[str, str]]:
    r = rng.random()
    count = 0 if r < 0.2 else 1 if r < 0.6 else 2 if r < 0.9 else 3
    picked: list[dict[str, str]] = []
    favoured, share = _FAVOURED.get(country, ("", 0.0))
    if favoured and rng.random() < share:
        picked.append(_BY_ENGLISH[favoured])
    used = {t for w in picked for t in w["en"].split()}
    for _ in range(8):
        if len(picked) >= count:
            break
        word = _pick(INDUSTRY, _INDUSTRY_CUM, rng)
        tokens = set(word["en"].split())
        if not tokens & used:
            picked.append(word)
            used |= tokens
    return picked


def _pick(values: Sequence[_T], cum_weights: Sequence[float], rng: random.Random) -> _T:
    return values[bisect.bisect(cum_weights, rng.random() * cum_weights[-1])]


def _organisation(profile: _Profile, rng: random.Random) -> PartyName:
    lang = profile.lang
    source = "en" if profile.country == "AE" and rng.random() < 0.4 else lang
    coined = [_coined(source, rng) for _ in range(2 if rng.random() < 0.25 else 1)]
    if source in ("ar", "ur") and rng.random() < 0.25:
        coined[0] = ("Al " + coined[0][0], coined[0][1])
    industry = _industry(rng, profile.country)
    city = rng.choice(profile.cities) if rng.random() < profile.city_share else ""
    form = _pick(profile.forms, profile.form_cum, rng)
    if industry and industry[-1]["en"] == "Research Institute" and rng.random() < 0.7:
        form = Form("", "", "", "", 0)
    native_key = _NATIVE_KEY.get(lang, "en")
    native = native_key != "en" and rng.random() < profile.native
    words = [w[native_key if native else "en"] for w in industry]
    core = " ".join(c for c, _ in coined)
    body = " ".join(x for x in (city, core, *words) if x)
    first = rng.random() < form.prefix
    name = _with_form(body, form.short, first)

    def joined(*parts: str) -> str:
        return " ".join(x for x in parts if x)

    def han() -> str:
        if not all(s for _, s in coined):
            return ""
        return "".join(
            [_CITIES_HAN.get(city, ""), *(_script_word(c, s, "zh") for c, s in coined)]
            + [w["han"] for w in industry]
            + [form.script]
        )

    def russian() -> str:
        quoted = f"«{cyrillic(joined(city, core, *(w['ru'] for w in industry)))}»"
        return joined(form.script, quoted)

    def arabic() -> str:
        key = "fa_script" if lang == "fa" else "ar_script"
        scripted = [_script_word(c, s, lang) for c, s in coined] + [w[key] for w in industry]
        lead = "شرکت" if lang == "fa" else "مؤسسة" if form.script == "مؤسسة" else "شركة"
        tail = form.script if form.script not in ("", "شرکت", "شركة", "مؤسسة") else ""
        return joined(lead, *scripted, tail)

    def pinyin() -> str:
        words = joined(city, core, *(w["zh"] for w in industry))
        return joined(words, "Youxian Gongsi" if form.script else "")

    def english() -> str:
        if not form.english or not (native or first or form.english != form.short):
            return ""
        return _with_form(joined(city, core, *(w["en"] for w in industry)), form.english, False)

    def romanised() -> str:
        return name.replace(core, " ".join(transliterate(c, rng) for c in core.split()), 1)

    def spelt_out() -> str:
        return _with_form(body, form.long if form.long != form.short else "", first)

    def shortened() -> str:
        if not (words or city):
            return ""
        if len(body.split()) >= 3 and rng.random() < 0.3:
            initials = "".join(w[0] for w in body.replace("-", " ").split()).upper()
            return _with_form(initials, form.short, first)
        return _with_form(core, form.short, first)

    script = (
        han
        if lang == "zh"
        else russian
        if lang == "ru" and profile.country in ("RU", "BY", "KZ")
        else arabic
        if lang in ("fa", "ar")
        else None
    )
    others = [english, romanised, spelt_out, shortened] + ([pinyin] if lang == "zh" else [])
    return PartyName(
        name,
        _pick_aliases(script, others, name, rng),
        profile.country,
        "organization",
        core,
        form.short,
        form.long,
        city,
    )


def _with_form(body: str, form: str, first: bool) -> str:
    if not form:
        return body
    return f"{form} {body}" if first else f"{body} {form}"


def _pick_aliases(
    script: Callable[[], str] | None,
    others: list[Callable[[], str]],
    name: str,
    rng: random.Random,
) -> tuple[str, ...]:
    """Up to three aliases (none for a third of parties); the own-script form most often."""
    r = rng.random()
    count = 0 if r < 0.35 else 1 if r < 0.7 else 2 if r < 0.9 else 3
    if not count:
        return ()
    order = list(others)
    rng.shuffle(order)
    if script is not None:
        order.insert(0 if rng.random() < 0.6 else rng.randrange(len(order) + 1), script)
    chosen: list[str] = []
    seen = {name.casefold()}
    for make in order:
        alias = make()
        if alias and alias.casefold() not in seen:
            seen.add(alias.casefold())
            chosen.append(alias)
            if len(chosen) == count:
                break
    return tuple(chosen)


_RU_MALE = _words(
    "Ivan:Ivanov Sergey:Sergeyev Aleksandr:Aleksandrov Dmitriy:Dmitriyev Nikolay:Nikolayev "
    "Mikhail:Mikhaylov Andrey:Andreyev Vladimir:Vladimirov Yuriy:Yuryev Oleg:Olegov Pavel:Pavlov "
    "Viktor:Viktorov Igor:Igorev Aleksey:Alekseyev Boris:Borisov Gennadiy:Gennadyev "
    "Anatoliy:Anatolyev Yevgeniy:Yevgenyev Konstantin:Konstantinov Roman:Romanov Maksim:Maksimov "
    "Denis:Denisov Vadim:Vadimov Kirill:Kirillov Stanislav:Stanislavov Valeriy:Valeryev"
)
_RU_FEMALE = _words(
    "Yelena Olga Tatyana Natalya Irina Svetlana Anna Marina Yekaterina Lyudmila Galina Oksana "
    "Anastasiya Yuliya Nadezhda Vera"
)
_RU_FAMILY = _words(
    "Petrov Smirnov Kuznetsov Popov Sokolov Lebedev Kozlov Novikov Morozov Volkov Solovyov "
    "Vasilyev Zaytsev Semenov Golubev Vinogradov Bogdanov Vorobyov Fedorov Belyaev Tarasov Belov "
    "Komarov Orlov Kiselev Makarov Kovalev Ilyin Gusev Titov Kuzmin Kudryavtsev Baranov Kulikov "
    "Stepanov Yakovlev Sorokin Zakharov Korolev Gerasimov Ponomarev Grigoryev Lazarev Yershov "
    "Nikitin Sobolev Ryabov Polyakov Tsvetkov Danilov Zhukov Frolov Zhuravlev Krylov Sidorov "
    "Osipov Belousov Yegorov Matveyev Bobrov Kalinin Anisimov Petukhov Antonov Timofeyev Markov "
    "Mironov Konovalov Shestakov Kazakov Yefimov Gromov Fomin Davydov Melnikov Shcherbakov Blinov "
    "Kolesnikov Karpov Vlasov Maslov Tikhonov Gavrilov Rodionov Kotov Gorbunov Bykov Tretyakov "
    "Savelyev Panov Rybakov Abramov Voronin Mukhin Arkhipov Trofimov Martynov Gorshkov Chernov "
    "Ovchinnikov Seleznev Nazarov Lobanov Lukin Potapov Nekrasov Khokhlov Zhdanov Naumov Shilov "
    "Vorontsov Yermakov Drozdov Ignatyev Savin Loginov Safonov Kapustin Moiseyev Kostin Orekhov "
    "Isayev Kalashnikov Kabanov Noskov Yudin Kulagin Lapin Prokhorov Nesterov Kharitonov Laptev "
    "Gladkov Zykov Rozhkov Bespalov Sukhov Ryzhov Shubin Ustinov Chistyakov Kovalenko Bondarenko "
    "Shevchenko Tkachenko Kravchenko Savchenko Levchenko Rudenko Kozlovskiy Zheleznyy Ostrovskiy"
)
_PEOPLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "fa": (
        _words(
            "Mohammad Ali Hossein Reza Mehdi Hamid Majid Saeed Abbas Mahmoud Javad Amir Behrouz "
            "Farhad Mostafa Hassan Morteza Alireza Ebrahim Masoud Davoud Yousef Fatemeh Maryam Zahra "
            "Narges Leila Shirin Mahnaz Parisa Kourosh Dariush Siamak Ramin"
        ),
        _words(
            "Rezaei Mohammadi Hosseini Ahmadi Karimi Jafari Rahimi Moradi Sadeghi Kazemi Ghasemi "
            "Tehrani Esfahani Shirazi Najafi Hashemi Rostami Bagheri Mousavi Abbasi Nouri Salehi "
            "Heidari Zare Asadi Ebrahimi Soltani Akbari Ghorbani Mirzaei Amini Kiani Taheri Yazdani "
            "Farahani Khorasani Tabrizi Ashrafi Rahmani Jalali Naderi Sharifi Mohebbi Bahrami"
        ),
    ),
    "ar": (
        _words(
            "Mohammed Ahmad Khaled Omar Samir Bassam Walid Fadi Rami Tarek Hassan Yousef Mahmoud "
            "Ibrahim Nour Rana Lina Hala Ammar Firas Ghassan Hussam Maher Nabil Riad Ziad Karim "
            "Majed Adnan Jamal"
        ),
        _words(
            "Haddad Khoury Saleh Nasser Darwish Mansour Qassem Hamdan Issa Jaber Othman Suleiman "
            "Khalil Zein Hamdi Saad Habib Hakim Karam Shami Halabi Masri Attar Sabbagh Najjar "
            "Hijazi Farhat Aziz Bakri Dabbagh Kassab Rifai Tamimi Zoubi Barakat"
        ),
    ),
    "tr": (
        _words(
            "Mehmet Ahmet Mustafa Ali Hüseyin Hasan İbrahim Murat Emre Serkan Burak Cengiz Oğuz "
            "Ayşe Fatma Elif Zeynep Gül Hakan Volkan Kemal Erdal"
        ),
        _words(
            "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç "
            "Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Güneş Erdoğan Korkmaz Aksoy Tekin"
        ),
    ),
    "ur": (
        _words(
            "Muhammad Imran Asif Tariq Khalid Faisal Kashif Naveed Shahid Zahid Irfan Adnan Usman "
            "Bilal Hamza Ayesha Sana Farah Waqar Saleem"
        ),
        _words(
            "Khan Ahmed Qureshi Malik Chaudhry Butt Sheikh Siddiqui Mirza Hussain Raza Iqbal "
            "Akhtar Abbasi Javed Rana Awan Baig Rehman Zaidi"
        ),
    ),
    "hi": (
        _words(
            "Rajesh Suresh Anil Sunil Vikram Arun Sanjay Ravi Prakash Deepak Priya Anita Sunita "
            "Venkat Manoj"
        ),
        _words(
            "Sharma Gupta Patel Singh Kumar Reddy Nair Iyer Menon Rao Agarwal Mehta Shah Joshi "
            "Verma Pillai Thakur"
        ),
    ),
    "ms": (
        _words("Ahmad Mohd Muhammad Azman Faizal Hafiz Nurul Siti Rosli Zulkifli"),
        _words("Abdullah Ismail Hassan Rahman Yusof Ibrahim Othman Hamid Salleh Aziz"),
    ),
    "de": (
        _words(
            "Thomas Michael Andreas Stefan Wolfgang Jürgen Klaus Matthias Frank Sabine Petra Andrea"
        ),
        _words(
            "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter "
            "Klein Wolf Neumann Braun Zimmermann Krüger Hartmann Lange"
        ),
    ),
    "el": (
        _words(
            "Georgios Dimitrios Konstantinos Ioannis Nikolaos Panagiotis Vasileios Christos "
            "Athanasios Maria Eleni Aikaterini"
        ),
        _words(
            "Papadopoulos Papadakis Georgiou Nikolaou Konstantinidis Vlachos Angelopoulos Dimitriou "
            "Ioannou Makris Karagiannis Oikonomou Pappas"
        ),
    ),
}


def _person(profile: _Profile, rng: random.Random) -> PartyName:
    people = profile.people
    script: Callable[[], str] | None = None
    others: list[Callable[[], str]]
    if people == "ru":
        name, script, others = _russian_person(rng)
    elif people == "zh":
        family_py, family_han, family_alt = rng.choice(_ZH_FAMILY)
        syllables = [_ZH_SYLLABLES[rng.randrange(len(_ZH_SYLLABLES))]]
        if rng.random() < 0.8:
            syllables.append(_ZH_SYLLABLES[rng.randrange(len(_ZH_SYLLABLES))])
        given = "".join(syllables).capitalize()
        han = family_han + "".join(_HAN[s] for s in syllables)
        script = lambda: han  # noqa: E731
        if profile.country == "HK":
            name = f"{family_alt} {' '.join(s.capitalize() for s in syllables)}"
            others = [lambda: f"{family_py} {given}"]
        else:
            style = rng.random()
            name = (
                f"{family_py} {given}" if style < 0.5
                else f"{given} {family_py}" if style < 0.8
                else f"{family_py.upper()}, {given}"
            )  # fmt: skip
            others = [
                lambda: f"{family_py} {'-'.join(syllables).capitalize()}",
                lambda: f"{family_alt} {given}",
            ]
    elif people == "ko":
        kp, kr, hangul_family = rng.choice(_KO_FAMILY)
        syllables = [_KO_SYLLABLES[rng.randrange(len(_KO_SYLLABLES))] for _ in range(2)]
        family = kp if profile.country == "KP" else kr
        given = " ".join(s.capitalize() for s in syllables)
        hyphenated = f"{syllables[0].capitalize()}-{syllables[1]}"
        name = f"{family} {given}" if rng.random() < 0.7 else f"{family} {hyphenated}"
        script = lambda: hangul_family + "".join(_HANGUL[s] for s in syllables)  # noqa: E731
        others = [
            lambda: f"{kr if family == kp else kp} {hyphenated}",
            lambda: f"{family.upper()}, {given}",
            lambda: f"{family} {''.join(syllables).capitalize()}",
        ]
    else:
        givens, families = _PEOPLE[people]
        given = rng.choice(givens)
        family = rng.choice(families)
        middle = [rng.choice(givens)] if rng.random() < 0.35 else []
        if people == "ms" and rng.random() < 0.6:
            family = f"bin {family}"
        full = " ".join([given, *middle, family])
        name = full if rng.random() < 0.8 else f"{family.upper()}, {given}"
        if people in ("fa", "ar"):
            script = lambda: arabic_script(full, persian=people == "fa")  # noqa: E731
        others = [
            lambda: " ".join([transliterate(given, rng), *middle, family]),
            lambda: " ".join([given, *middle, transliterate(family, rng)]),
            lambda: f"{family}, {given}",
        ]
        if middle:
            others.append(lambda: f"{given} {family}")
    return PartyName(
        name,
        _pick_aliases(script, others, name, rng),
        profile.country,
        "person",
        max(name.replace(",", "").split(), key=len),
        "",
        "",
        "",
    )


def _russian_person(
    rng: random.Random,
) -> tuple[str, Callable[[], str], list[Callable[[], str]]]:
    female = rng.random() < 0.2
    family = rng.choice(_RU_FAMILY)
    stem = rng.choice(_RU_MALE).split(":")[1]
    if female:
        given = rng.choice(_RU_FEMALE)
        patronymic = stem + "na"
        if family.endswith("y"):
            family = family[:-2] + "aya"
        elif not family.endswith("o"):
            family += "a"
    else:
        given = rng.choice(_RU_MALE).split(":")[0]
        patronymic = stem + "ich"
    middle = [patronymic] if rng.random() < 0.7 else []
    style = rng.random()
    if style < 0.4:
        name = " ".join([given, *middle, family])
    elif style < 0.7:
        name = " ".join([family, given, *middle])
    else:
        name = f"{family.upper()}, {' '.join([given, *middle])}"
    return (
        name,
        lambda: cyrillic(f"{family} {given} {patronymic}"),
        [
            lambda: " ".join([transliterate(given, rng), *middle, family]),
            lambda: " ".join([given, *middle, transliterate(family, rng)]),
            lambda: " ".join([f"{given[0]}.", *(f"{m[0]}." for m in middle), family]),
        ],
    )


def party_names(rng: random.Random, country: str | None = None) -> PartyName:
    """One synthetic party (three in four an organisation), in `country` or a likely one."""
    code = country or rng.choices(_COUNTRIES, cum_weights=_COUNTRY_CUM)[0]
    profile = PROFILES[code]
    return _organisation(profile, rng) if rng.random() < 0.75 else _person(profile, rng)


def variant(held: PartyName, rng: random.Random) -> tuple[str, str]:
    """A name as an applicant's paperwork might give a held party, and the kind of variation."""
    kind = rng.choice(("alias", "transliteration", "typo", "legal-form", "reordered", "shortened"))
    name = held.name
    if kind == "alias" and held.aliases:
        return rng.choice(held.aliases), kind
    if kind == "legal-form" and held.form:
        other = held.form_long if rng.random() < 0.5 and held.form_long != held.form else ""
        if name.startswith(held.form + " "):
            return f"{other} {name[len(held.form) + 1 :]}".strip(), kind
        if name.endswith(" " + held.form):
            return f"{name[: -len(held.form) - 1]} {other}".strip(), kind
    if kind == "reordered":
        words = name.replace(",", "").split()
        if held.kind == "person" and len(words) >= 2:
            return " ".join(w.capitalize() for w in words[1:] + words[:1]), kind
        if held.city:
            return f"{name.replace(held.city, '').strip()} ({held.city})", kind
    if kind == "shortened" and held.kind == "organization" and held.core != name:
        return f"{held.core} {held.form}".strip(), kind
    target = max(held.core.split(), key=len)
    at = name.lower().find(target.lower())
    if at < 0:
        return name, "unchanged"
    written = name[at : at + len(target)]
    changed = transliterate(written, rng) if kind != "typo" else written
    if changed == written:
        changed, kind = typo(written, rng), "typo"
    else:
        kind = "transliteration"
    return name[:at] + changed + name[at + len(target) :], kind


# Denials --------------------------------------------------------------------------------------

#: Control entries with HS codes that fit them (none for software and technology) and a description.
ENTRIES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("3A001.a.1", ("854231", "854239"), "Radiation-hardened integrated circuits"),
    ("3A001.b.2", ("854233", "854239"), "Microwave monolithic integrated circuit amplifiers"),
    ("3A002.c", ("903040",), "Signal analysers"),
    ("3B001.a", ("848620",), "Epitaxial growth equipment"),
    ("3D001", (), "Software for the development of 3A001 items"),
    ("3E001", (), "Technology for the development of integrated circuits"),
    ("4A003.b", ("847150",), "Digital computers"),
    ("5A002.a", ("851762",), "Cryptographic communication equipment"),
    ("6A003.b.4", ("852589",), "Thermal imaging cameras"),
    ("6A005.a", ("901320",), "Continuous wave lasers"),
    ("6A008.d", ("852610",), "Radar systems"),
    ("7A003.a", ("901420",), "Inertial navigation systems"),
    ("7A103", ("901420",), "Inertial measurement equipment for missiles"),
    ("9A001.a", ("841112",), "Aero gas turbine engines"),
    ("9A004.a", ("880260",), "Space launch vehicle components"),
    ("9A012.a", ("880622", "880621"), "Unmanned aerial vehicles"),
    ("9E003.a", (), "Technology for gas turbine engine components"),
    ("1C010.b", ("681511",), "Carbon fibres"),
    ("1C111.a", ("285000",), "Propellant substances"),
    ("1C202.b", ("810890",), "Titanium alloy tubes"),
    ("1C350", ("292119", "293090", "281111"), "Chemical weapon precursors"),
    ("2B001.a", ("845811", "845891"), "Numerically controlled turning machines"),
    ("2B201.a", ("845710",), "Five-axis machining centres"),
    ("2B228", ("847989",), "Rotor fabrication and assembly equipment"),
    ("2B350.a", ("841989",), "Corrosion-resistant reaction vessels"),
    ("2B350.d", ("841950",), "Corrosion-resistant heat exchangers"),
    ("2B350.g", ("848180",), "Corrosion-resistant valves"),
    ("0B001.c.1", ("840120",), "Gas centrifuge components for isotope separation"),
    ("0C002", ("284420",), "Enriched uranium compounds"),
    ("ML1.a", ("930190",), "Automatic rifles"),
    ("ML3.a", ("930630",), "Ammunition"),
    ("ML4.a", ("930690",), "Rockets and missiles"),
    ("ML5.a", ("901380",), "Fire control sights"),
    ("ML10.a", ("880240",), "Military aircraft"),
    ("ML10.c", ("880622",), "Military unmanned aerial vehicles"),
    ("ML11.a", ("852610",), "Military electronic equipment"),
    ("ML21.a", (), "Software for military equipment"),
    ("ML22.a", (), "Technology for military equipment"),
)
#: Goods caught by a catch-all clause: HS code and description.
CATCH_ALL_GOODS = (
    ("847989", "Industrial machines with individual functions"),
    ("845891", "Numerically controlled lathes below the control threshold"),
    ("903031", "Multimeters"),
    ("850440", "Static converters"),
    ("853710", "Programmable logic controllers"),
    ("903289", "Automatic regulating instruments"),
    ("847130", "Portable computers"),
    ("851769", "Communication apparatus"),
    ("841391", "Pump parts"),
    ("760612", "Aluminium plates"),
)
_GROUNDS = (
    ("wmd", "wmd-programme"),
    ("missile", "missile-programme"),
    ("military-end-use", "military-end-use"),
    ("diverted-military", "diversion-risk"),
    ("human-rights", "human-rights"),
    ("national", "end-user-of-concern"),
)
_ROLES = ("consignee", "intermediate-consignee", "purchaser", "broker")


def _regime(entry: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.1:
        return "EU"
    if r < 0.15:
        return "national"
    if entry.startswith("ML"):
        return "WA"
    if entry[0] == "0":
        return "NSG"
    return {"0": "WA", "1": "MTCR", "2": "NSG", "3": "AG"}.get(entry[2], "WA")


def _reasons(regime: str, rng: random.Random) -> tuple[str, ...]:
    main = {
        "NSG": "wmd-programme",
        "AG": "wmd-programme",
        "MTCR": "missile-programme",
    }.get(regime) or rng.choice(("end-user-of-concern", "diversion-risk", "military-end-use"))
    if rng.random() < 0.3:
        return (main, rng.choice(("diversion-risk", "insufficient-assurances", "embargo")))
    return (main,)


def _identifiers(country: str, rng: random.Random) -> tuple[str, ...]:
    if country in ("RU", "BY", "KZ") and rng.random() < 0.15:
        return (f"INN:{rng.randrange(10**9, 10**10)}",)
    if country == "CN" and rng.random() < 0.1:
        return (f"USCC:91{rng.randrange(10**14, 10**15)}X",)
    return ()


@functools.cache
def _item(entry: str, hs_code: str | None, description: str) -> Item:
    return item(control_entry=entry, hs_code=hs_code, description=description)


@dataclass(frozen=True, slots=True)
class SyntheticDenial:
    """A draft and the synthetic parties it names (for making screening queries)."""

    draft: DenialDraft
    parties: tuple[PartyName, ...]


def synthetic_denials(count: int, seed: int, *, today: date) -> Iterator[SyntheticDenial]:
    """`count` varied denials: one to three parties, listed or catch-all, over the last 3 years;
    one in twenty has a validity that ended before `today` (issue those at `issue_day`)."""
    rng = random.Random(seed)
    for n in range(count):
        expired = rng.random() < 0.05
        if expired:
            denied_on = today - timedelta(days=rng.randint(730, 1090))
            valid_until: date | None = today - timedelta(days=rng.randint(1, 364))
        else:
            denied_on = today - timedelta(days=rng.randint(0, 1090))
            valid_until = None
        r = rng.random()
        count_parties = 1 if r < 0.6 else 2 if r < 0.9 else 3
        first = party_names(rng)
        names = [first]
        for _ in range(count_parties - 1):
            where = rng.choice(HUBS) if rng.random() < 0.5 else first.country
            names.append(party_names(rng, where))
        parties = tuple(
            party(
                role=("end-user" if rng.random() < 0.7 else "consignee")
                if i == 0
                else rng.choice(_ROLES),
                name=p.name,
                country=p.country,
                aliases=p.aliases,
                identifiers=_identifiers(p.country, rng) if p.kind == "organization" else (),
                field=f"parties[{i}]",
            )
            for i, p in enumerate(names)
        )
        if rng.random() < 0.12:
            ground, reason = rng.choice(_GROUNDS)
            goods = rng.sample(CATCH_ALL_GOODS, 1 if rng.random() < 0.7 else 2)
            items = tuple(_item("catch-all", hs, text) for hs, text in goods)
            draft = DenialDraft(
                national_ref=f"S{seed}-{denied_on.year}-{n:07d}",
                regime=rng.choice(("national", "national", "EU", "WA")),
                denied_on=denied_on,
                basis="catch-all",
                ground=ground,
                items=items,
                parties=parties,
                reasons=(reason,),
                valid_until=valid_until,
            )
        else:
            r = rng.random()
            chosen = rng.sample(ENTRIES, 1 if r < 0.6 else 2 if r < 0.9 else 3)
            items = tuple(
                _item(entry, rng.choice(codes) if codes else None, text)
                for entry, codes, text in chosen
            )
            regime = _regime(chosen[0][0], rng)
            draft = DenialDraft(
                national_ref=f"S{seed}-{denied_on.year}-{n:07d}",
                regime=regime,
                denied_on=denied_on,
                basis="listed",
                ground=None,
                items=items,
                parties=parties,
                reasons=_reasons(regime, rng),
                valid_until=valid_until,
            )
        yield SyntheticDenial(draft, tuple(names))


def denial_drafts(count: int, seed: int, *, today: date | None = None) -> Iterator[DenialDraft]:
    """`count` synthetic denial drafts, the same for the same seed and day."""
    for synthetic in synthetic_denials(count, seed, today=today or date.today()):
        yield synthetic.draft


def expired(draft: DenialDraft, today: date) -> bool:
    """Whether the draft's validity ended before `today`."""
    return (draft.valid_until or three_years_after(draft.denied_on)) < today


def issue_day(drafts: Sequence[DenialDraft]) -> date:
    """A day on which every one of these drafts can be issued (denied, and not yet expired)."""
    day = max(d.denied_on for d in drafts)
    assert all(day <= (d.valid_until or three_years_after(d.denied_on)) for d in drafts)
    return day
