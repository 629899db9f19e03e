"""Chinese first, English on request: the page language and the console's zh/en texts.

The language is ``zh`` unless the person chose English: ``?lang=en`` (or ``?lang=zh``) on any
page chooses it and keeps the choice in the ``shequ_lang`` cookie for the next pages.
Texts are pairs: ``MESSAGES`` holds the ones several pages share, by key; a page's own text is
written as a pair where it is used (``tr("案件", "Case")`` in a template). A refusal of the
suite (``ShequError``) already carries both messages, so it is shown as it was said.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

LANGS = ("zh", "en")
LANG_COOKIE = "shequ_lang"

MESSAGES: dict[str, tuple[str, str]] = {
    "app": ("胶河社区服务", "Jiaohe community services"),
    "login": ("登录", "Log in"),
    "logout": ("退出登录", "Log out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "home": ("首页", "Home"),
    "submit": ("提交", "Submit"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "forbidden": ("您的角色无权查看此页面", "your role may not see this page"),
    "not_found": ("未找到", "not found"),
    "error": ("出错了", "Something went wrong"),
    "lang_other": ("English", "中文"),
    "skip": ("跳到正文", "Skip to content"),
    "none": ("暂无", "none"),
}

ROLE_NAMES: dict[str, tuple[str, str]] = {
    "district_staff": ("区级工作人员", "district staff"),
    "community_staff": ("社区工作人员", "community staff"),
    "team_member": ("服务队成员", "team member"),
    "resident": ("居民", "resident"),
    "auditor": ("审计人员", "auditor"),
    "system": ("系统", "system"),
    "finance_clerk": ("报账员", "finance clerk"),
    "finance_group": ("民主理财小组", "finance group"),
    "village_head": ("村书记或主任", "village head"),
    "agency_accountant": ("三资代理服务中心会计", "agency accountant"),
}


def chosen(request: Request) -> str:
    """The page language: ``?lang=`` first, then the cookie, else Chinese."""
    asked = request.query_params.get("lang", "")
    if asked in LANGS:
        return asked
    kept = request.cookies.get(LANG_COOKIE, "")
    return kept if kept in LANGS else "zh"


@dataclass(frozen=True)
class Texts:
    """The texts of one page in its language (the templates' ``_``, ``tr`` and ``said``)."""

    lang: str

    def tr(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh

    def __call__(self, key: str) -> str:
        zh, en = MESSAGES[key]
        return self.tr(zh, en)

    def role(self, role: str) -> str:
        zh, en = ROLE_NAMES.get(role, (role, role))
        return self.tr(zh, en)

    def said(self, error: dict[str, str]) -> str:
        """A refusal (``ShequError.to_dict()``) in the page language."""
        return self.tr(error.get("message", ""), error.get("message_en", ""))

    def other_said(self, error: dict[str, str]) -> str:
        """The same refusal in the other language, shown beside it."""
        return self.tr(error.get("message_en", ""), error.get("message", ""))
