"""The console's small pure parts: where a login may send the browser back to, and the texts
of a page in its language."""

from __future__ import annotations

import pytest
from gateway.console.i18n import Texts
from gateway.console.web import safe_next


@pytest.mark.parametrize(
    ("asked", "sent_to"),
    [
        ("/cases/1?purpose=x", "/cases/1?purpose=x"),
        ("/file-case?household=abc", "/file-case?household=abc"),
        (None, "/"),
        ("", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("/ /evil.example", "/"),
        ("/\n", "/"),
    ],
)
def test_a_login_sends_the_browser_back_only_to_a_path_of_this_site(asked, sent_to):
    assert safe_next(asked) == sent_to


def test_texts_are_chinese_first_and_english_on_request():
    zh, en = Texts("zh"), Texts("en")
    assert (zh("login"), en("login")) == ("登录", "Log in")
    assert (zh.role("team_member"), en.role("team_member")) == ("服务队成员", "team member")
    refusal = {"message": "用户名或密码错误", "message_en": "wrong username or password"}
    assert (zh.said(refusal), zh.other_said(refusal)) == (
        "用户名或密码错误",
        "wrong username or password",
    )
    assert en.said(refusal) == "wrong username or password"
