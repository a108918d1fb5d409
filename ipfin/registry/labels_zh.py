"""Chinese labels of the registry choices, independent of the active language.

Import files and templates are Chinese whatever the reader's UI language (banks and bureaus work in
Chinese spreadsheets), so the importer recognises these labels and the templates/exports write them.
The UI itself translates through the gettext catalogue (``locale/zh_Hans``).
"""

from __future__ import annotations

from ipfin.domain.registry.legal_status import EVENT_LABELS_ZH, STATUS_LABELS_ZH

CHOICE_LABELS_ZH: dict[str, dict[str, str]] = {
    "SizeClass": {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"},
    "QualificationKind": {"high_tech": "高新技术企业", "specialised": "专精特新中小企业",
                          "little_giant": "专精特新“小巨人”企业", "tech_sme": "科技型中小企业"},
    "CreditEventKind": {"overdue": "贷款逾期", "default": "违约", "court_enforcement": "法院强制执行",
                        "tax_violation": "税务违法", "administrative_penalty": "行政处罚", "other": "其他"},
    "CreditSource": {"pboc": "人民银行征信中心", "court": "法院", "tax": "税务机关", "bank": "银行",
                     "market_regulator": "市场监管部门", "other": "其他"},
    "PeriodKind": {"quarter": "季度", "year": "年度"},
    "AssetKind": {"patent": "专利", "trademark": "商标", "copyright": "著作权", "plant_variety": "植物新品种权",
                  "geographical_indication": "地理标志", "data_ip": "数据知识产权"},
    "PatentType": {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"},
    "MarkType": {"ordinary": "普通商标", "collective_mark": "集体商标", "certification_mark": "证明商标"},
    "LegalStatus": {key.value: label for key, label in STATUS_LABELS_ZH.items()},
    "LegalEventKind": {key.value: label for key, label in EVENT_LABELS_ZH.items()},
    "LicenceType": {"exclusive": "独占许可", "sole": "排他许可", "ordinary": "普通许可", "open_licence": "开放许可"},
    "CopyrightWorkType": {"software": "计算机软件", "literary": "文字作品", "art": "美术作品",
                          "audiovisual": "视听作品", "drawing": "工程设计图、产品设计图", "other": "其他作品"},
}


def zh(choices_name: str, key: str) -> str:
    return CHOICE_LABELS_ZH.get(choices_name, {}).get(key, key)
