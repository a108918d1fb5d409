"""One organisation of every kind and one user of every role, made through the action functions.

Shared by the web tests and the browser tests (``tests/browser``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ipfin.accounts.actions import create_organisation, create_user
from ipfin.accounts.choices import ROLES_BY_KIND, OrganisationKind, Role
from ipfin.accounts.models import Organisation, User

PASSWORD = "Pledge-Platform-2025!"
REGION = "150200"  # 包头市
OTHER_REGION = "510400"  # 攀枝花市

# The workbench title each role must see in the default language (Simplified Chinese).
CHINESE_TITLES: dict[str, str] = {
    Role.ENTERPRISE_ADMIN: "企业工作台",
    Role.ENTERPRISE_STAFF: "企业工作台",
    Role.LOAN_OFFICER: "银行工作台",
    Role.APPROVER: "银行工作台",
    Role.BRANCH_HEAD: "银行工作台",
    Role.GUARANTOR_OFFICER: "担保机构工作台",
    Role.INSURER_OFFICER: "保险机构工作台",
    Role.APPRAISER: "评估机构工作台",
    Role.EXPERT: "评估机构工作台",
    Role.FUND_OFFICER: "资金管理人工作台",
    Role.CLERK: "知识产权局工作台",
    Role.LEADER: "知识产权局工作台",
    Role.SUPERVISOR: "金融监管工作台",
    Role.PLATFORM_ADMIN: "平台运营工作台",
}

DISPLAY_NAMES: dict[str, str] = {
    Role.ENTERPRISE_ADMIN: "王建国", Role.ENTERPRISE_STAFF: "李晓梅", Role.LOAN_OFFICER: "张伟",
    Role.APPROVER: "刘洋", Role.BRANCH_HEAD: "陈静", Role.GUARANTOR_OFFICER: "杨帆",
    Role.INSURER_OFFICER: "赵敏", Role.APPRAISER: "黄磊", Role.EXPERT: "周涛", Role.FUND_OFFICER: "吴芳",
    Role.CLERK: "徐丽", Role.LEADER: "孙强", Role.SUPERVISOR: "马超", Role.PLATFORM_ADMIN: "胡平",
}

ORG_NAMES: dict[str, str] = {
    OrganisationKind.ENTERPRISE: "包头稀土新材料有限公司",
    OrganisationKind.BANK: "包头示范银行",
    OrganisationKind.GUARANTOR: "包头融资担保有限公司",
    OrganisationKind.INSURER: "示范财产保险包头分公司",
    OrganisationKind.APPRAISER: "包头知识产权资产评估有限公司",
    OrganisationKind.FUND_MANAGER: "包头风险补偿资金管理中心",
    OrganisationKind.IP_OFFICE: "包头市知识产权局",
    OrganisationKind.REGULATOR: "包头金融监管分局",
    OrganisationKind.PLATFORM: "ipfin 平台运营中心",
}


@dataclass
class People:
    organisations: dict[str, Organisation]  # by kind
    users: dict[str, User]  # by role
    other_enterprise: Organisation  # an enterprise in another region: nobody here but the platform sees it


def make_people() -> People:
    organisations = {
        kind: create_organisation(None, name=ORG_NAMES[kind], kind=kind, region_code=REGION)
        for kind in OrganisationKind.values
    }
    other = create_organisation(None, name="攀枝花钒钛科技有限公司", kind=OrganisationKind.ENTERPRISE,
                                region_code=OTHER_REGION)
    role_kind = {role: kind for kind, roles in ROLES_BY_KIND.items() for role in roles}
    users = {
        role: create_user(
            None, organisation=organisations[role_kind[role]], username=f"u_{role}", password=PASSWORD,
            roles=[role], display_name=DISPLAY_NAMES[role], check_password_strength=False,
        )
        for role in Role.values
    }
    return People(organisations, users, other)
