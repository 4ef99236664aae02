"""Which disputes the internet court hears, as data, and the pure check against it.

The shipped list is Art. 2 of the SPC Provisions on Several Issues Concerning the Trial of
Cases by Internet Courts (《最高人民法院关于互联网法院审理案件若干问题的规定》, Fa Shi [2018]
No. 16, effective 2018-09-07). Internet courts hear these first-instance cases within their
city's jurisdiction. The list also carries disputes people often bring by mistake, each with
the court that is competent instead (CPL 2021 Arts. 22–24, 34), so a refusal tells the person
where to go before they fill anything else.

A court administrator publishes later versions (``services.catalogue_publish``); the check
always uses the version in force on the day the application was submitted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ecourt.cases.rules.case_numbers import CaseTypeCode
from ecourt.cases.rules.fees import FeeCategory

CIVIL = "civil"
ADMINISTRATIVE = "administrative"


@dataclass(frozen=True)
class CaseTypeSpec:
    code: str
    name_en: str
    name_zh: str
    hint_en: str = ""
    hint_zh: str = ""
    accepted: bool = True
    procedure_family: str = CIVIL
    fee_category: str = ""
    number_type: str = ""
    competent_court_en: str = ""
    competent_court_zh: str = ""


def _heard(
    code: str,
    name_en: str,
    name_zh: str,
    hint_en: str,
    hint_zh: str,
    fee: FeeCategory,
    family: str = CIVIL,
) -> CaseTypeSpec:
    number = (
        CaseTypeCode.ADMINISTRATIVE_FIRST_INSTANCE
        if family == ADMINISTRATIVE
        else CaseTypeCode.CIVIL_FIRST_INSTANCE
    )
    return CaseTypeSpec(
        code=code,
        name_en=name_en,
        name_zh=name_zh,
        hint_en=hint_en,
        hint_zh=hint_zh,
        procedure_family=family,
        fee_category=fee.value,
        number_type=number.value,
    )


def _elsewhere(
    code: str, name_en: str, name_zh: str, court_en: str, court_zh: str, family: str = CIVIL
) -> CaseTypeSpec:
    return CaseTypeSpec(
        code=code,
        name_en=name_en,
        name_zh=name_zh,
        accepted=False,
        procedure_family=family,
        competent_court_en=court_en,
        competent_court_zh=court_zh,
    )


SPC_2018_EFFECTIVE = date(2018, 9, 7)
SPC_2018_BASIS = "SPC Provisions on Internet Courts (Fa Shi [2018] No. 16), Art. 2"

#: The list in force from 2018-09-07, in the order of Art. 2, then the common mistakes.
SPC_2018_LIST: tuple[CaseTypeSpec, ...] = (
    _heard(
        "online_shopping_contract",
        "Contract for goods bought on an e-commerce platform",
        "通过电子商务平台签订或者履行网络购物合同而产生的纠纷",
        "You bought something online and it never came, was faulty or was not as described.",
        "网上购物未收到货、货物有质量问题或与描述不符。",
        FeeCategory.PROPERTY,
    ),
    _heard(
        "online_service_contract",
        "Contract for a service signed and performed online",
        "签订、履行行为均在互联网上完成的网络服务合同纠纷",
        "An online service (membership, cloud storage, game, course) was not provided as agreed.",
        "网络服务（会员、云存储、游戏、网课等）未按约定提供。",
        FeeCategory.PROPERTY,
    ),
    _heard(
        "online_loan_contract",
        "Financial loan or small loan contract signed and performed online",
        "签订、履行行为均在互联网上完成的金融借款合同纠纷、小额借款合同纠纷",
        "A loan agreed and paid out online was not repaid, or its terms were unlawful.",
        "在网上签订并放款的借款未归还或条款违法。",
        FeeCategory.PROPERTY,
    ),
    _heard(
        "online_copyright_ownership",
        "Ownership of copyright or neighbouring rights in works first published online",
        "在互联网上首次发表作品的著作权或者邻接权权属纠纷",
        "Who owns an article, photo, video or music first published online.",
        "首次在网上发表的文章、图片、视频、音乐的权利归属。",
        FeeCategory.INTELLECTUAL_PROPERTY,
    ),
    _heard(
        "online_copyright_infringement",
        "Infringement of copyright or neighbouring rights in works published or spread online",
        "在互联网上侵害在线发表或者传播作品的著作权或者邻接权而产生的纠纷",
        "Someone copied or spread your work online without permission.",
        "他人未经许可在网上复制、传播您的作品。",
        FeeCategory.INTELLECTUAL_PROPERTY,
    ),
    _heard(
        "domain_name",
        "Ownership, infringement or contract disputes over internet domain names",
        "互联网域名权属、侵权及合同纠纷",
        "Who owns a domain name, or a domain name used in bad faith.",
        "域名归属、恶意注册或使用域名。",
        FeeCategory.INTELLECTUAL_PROPERTY,
    ),
    _heard(
        "online_personal_property_infringement",
        "Infringement of personal or property rights online",
        "在互联网上侵害他人人身权、财产权等民事权益而产生的纠纷",
        "Defamation, privacy or personal-data breaches, or loss of property, online.",
        "网络上的名誉、隐私、个人信息侵权或财产损失。",
        FeeCategory.PERSONALITY_RIGHTS,
    ),
    _heard(
        "online_product_liability",
        "Product liability for goods bought on an e-commerce platform",
        "通过电子商务平台购买的产品，因存在产品缺陷，侵害他人人身、财产权益而产生的产品责任纠纷",
        "A product bought online was defective and hurt someone or damaged property.",
        "网购产品存在缺陷造成人身或财产损害。",
        FeeCategory.PROPERTY,
    ),
    _heard(
        "internet_public_interest",
        "Internet public-interest action brought by a procuratorate",
        "检察机关提起的互联网公益诉讼案件",
        "For procuratorates only.",
        "仅限检察机关提起。",
        FeeCategory.NO_FEE,
    ),
    _heard(
        "internet_administrative",
        "Administrative dispute over internet information services, online commerce or "
        "online trading management",
        "因行政机关作出互联网信息服务管理、互联网商品交易及有关服务管理等行政行为而产生的行政纠纷",
        "You challenge an authority's decision about an online service or online trading.",
        "对行政机关有关互联网信息服务、网络交易管理的行政行为不服。",
        FeeCategory.ADMINISTRATIVE,
        family=ADMINISTRATIVE,
    ),
    _heard(
        "designated_by_higher_court",
        "Other internet civil case designated by a higher people's court",
        "上级人民法院指定管辖的其他互联网民事案件",
        "Only when a higher court has designated this court for your case.",
        "仅限上级人民法院已指定本院管辖的案件。",
        FeeCategory.OTHER_NON_PROPERTY,
    ),
    _elsewhere(
        "offline_contract",
        "A contract signed or performed offline",
        "线下签订或履行的合同纠纷",
        "The basic people's court where the defendant lives or where the contract is "
        "performed (CPL Art. 24).",
        "被告住所地或者合同履行地的基层人民法院（《民事诉讼法》第二十四条）。",
    ),
    _elsewhere(
        "family",
        "Marriage, family or inheritance",
        "婚姻家庭、继承纠纷",
        "The basic people's court where the defendant lives (CPL Art. 22).",
        "被告住所地的基层人民法院（《民事诉讼法》第二十二条）。",
    ),
    _elsewhere(
        "real_estate",
        "Land, buildings or other real estate",
        "不动产纠纷",
        "The people's court where the property is (CPL Art. 34).",
        "不动产所在地人民法院（《民事诉讼法》第三十四条）。",
    ),
    _elsewhere(
        "labour",
        "Employment and labour",
        "劳动争议",
        "First the labour dispute arbitration commission; then the basic people's court "
        "(Labour Dispute Mediation and Arbitration Law, Arts. 5, 50).",
        "先向劳动争议仲裁委员会申请仲裁，对裁决不服再向基层人民法院起诉"
        "（《劳动争议调解仲裁法》第五条、第五十条）。",
    ),
    _elsewhere(
        "criminal",
        "A crime (fraud, theft, threats)",
        "刑事犯罪（诈骗、盗窃、威胁等）",
        "Report it to the public security organ (police); courts hear crimes only on "
        "prosecution (Criminal Procedure Law Art. 110).",
        "向公安机关报案；刑事案件由检察机关提起公诉（《刑事诉讼法》第一百一十条）。",
    ),
)


@dataclass(frozen=True)
class CatalogueEntry:
    """A case type as the check sees it (built from the database or from specs)."""

    code: str
    accepted: bool


@dataclass(frozen=True)
class JurisdictionResult:
    accepted: bool
    code: str  # "heard", "not_heard", "unknown_type", "no_catalogue"


def version_in_force(effective_dates: Iterable[date], on: date) -> date | None:
    """The effective date of the catalogue version in force on ``on``: the latest one that
    started on or before it. None before the first version."""
    started = [d for d in effective_dates if d <= on]
    return max(started) if started else None


def jurisdiction_check(entries: Sequence[CatalogueEntry], code: str) -> JurisdictionResult:
    """Does the court hear a dispute of type ``code`` under this catalogue version?"""
    if not entries:
        return JurisdictionResult(False, "no_catalogue")
    for entry in entries:
        if entry.code == code:
            return JurisdictionResult(entry.accepted, "heard" if entry.accepted else "not_heard")
    return JurisdictionResult(False, "unknown_type")
