"""Sign-in throttling (growing wait, temporary lock, its release), idle sign-out, and the access audit
log that records them (rotation by month, no personal data, `gridpulse audit`)."""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import pytest
from streamlit.testing.v1 import AppTest

from dashboards.auth import Refusal, Security, User, load_security, sign_in
from pipelines.cli.commands import main
from pipelines.core.audit import AuditLog
from pipelines.core.settings import ROOT

T0 = dt.datetime(2026, 12, 5, 9, 0, 0)
RULES = Security(delay_after=3, delay_seconds=2, lock_after=5, lock_minutes=15, client_lock_after=8)
APP = str(ROOT / "dashboards" / "streamlit_app.py")


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def attempt(log: AuditLog, seconds: float, password: str = "wrong", user: str = "leader", client: str = "c1"):
    return sign_in(user, password, client, log, security=RULES, now=at(seconds))


def test_failures_impose_a_growing_wait_then_a_lock_that_is_released(tmp_path):
    log = AuditLog(tmp_path)
    assert [attempt(log, 0), attempt(log, 1), attempt(log, 2)] == [None, None, None]  # three free failures
    assert attempt(log, 3) == Refusal(locked=False, wait_seconds=1)  # 2 s after the third failure
    assert attempt(log, 4) is None  # the fourth failure, checked once the wait is over
    assert attempt(log, 6) == Refusal(locked=False, wait_seconds=2)  # the wait doubled: 4 s
    assert attempt(log, 8) is None  # the fifth failure locks the name for 15 minutes, right password or not
    assert attempt(log, 8 + 60, password="huayang-leader") == Refusal(locked=True, wait_seconds=15 * 60 - 60)
    assert attempt(log, 8 + 15 * 60 - 1, password="huayang-leader") == Refusal(locked=True, wait_seconds=1)
    user = attempt(log, 8 + 15 * 60, password="huayang-leader")  # the lock is over
    assert isinstance(user, User) and user.username == "leader"
    assert attempt(log, 8 + 15 * 60 + 1) is None  # a success starts the count again: no wait after it
    events = log.read()
    assert events["event"].to_list() == (["sign_in_failed"] * 3 + ["sign_in_refused", "sign_in_failed", "sign_in_refused"]
                                         + ["sign_in_failed", "sign_in_refused", "sign_in_refused", "sign_in", "sign_in_failed"])
    assert events.filter(events["event"] == "sign_in_refused")["reason"].to_list() == ["too_soon", "too_soon", "locked", "locked"]


def test_a_locked_name_does_not_lock_the_others_but_one_client_trying_names_is_locked(tmp_path):
    log = AuditLog(tmp_path)
    for i in range(5):
        attempt(log, i * 10)
    assert attempt(log, 60).locked
    assert isinstance(attempt(log, 61, "huayang-data", user="data", client="c2"), User)  # another name, another client
    assert [attempt(log, 100 + i, user=name) for i, name in enumerate("abc")] == [None] * 3  # names that are no account
    # client c1 failed 8 times (its refused attempt at 60 s does not count), the last at 102 s: locked whatever the name
    assert attempt(log, 120, "huayang-data", user="data") == Refusal(locked=True, wait_seconds=15 * 60 - 18)


def test_the_throttle_counts_from_the_log_so_it_holds_for_a_new_session_and_process(tmp_path):
    for i in range(5):
        sign_in("leader", "wrong", "c1", AuditLog(tmp_path), security=RULES, now=at(i * 10))
    fresh = AuditLog(tmp_path)  # another session (or a restarted dashboard) reads the same log
    assert sign_in("leader", "huayang-leader", "c9", fresh, security=RULES, now=at(100)).locked


def test_names_that_are_no_account_and_clients_are_kept_only_as_digests(tmp_path):
    log = AuditLog(tmp_path)
    attempt(log, 0, user="13812345678")  # somebody typed a phone number as the user name
    attempt(log, 1, user="110101199003074514")
    attempt(log, 2, user="13812345678")
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "audit").glob("*.jsonl"))
    assert "13812345678" not in text and "110101199003074514" not in text
    users = log.read()["user"].to_list()
    assert users[0] == users[2] != users[1] and all(re.fullmatch(r"\?[A-Z2-7]{16}", u) for u in users)
    assert re.fullmatch(r"[A-Z2-7]{16}", log.digest("203.0.113.9")) and log.digest("a") != AuditLog(tmp_path / "x").digest("a")


def test_the_log_rotates_by_month_and_reads_across_months(tmp_path):
    log = AuditLog(tmp_path)
    log.append("sign_in", now=dt.datetime(2026, 11, 30, 23, 59, 0), user="leader", role="leader", client="local")
    log.append("page_view", now=dt.datetime(2026, 12, 1, 0, 1, 0), user="leader", role="leader", page="总览",
               month="2025-12", community="510116003001")
    assert sorted(p.name for p in (tmp_path / "audit").glob("*.jsonl")) == ["2026-11.jsonl", "2026-12.jsonl"]
    assert log.read(dt.datetime(2026, 11, 30, 12))["event"].to_list() == ["sign_in", "page_view"]
    assert log.read(dt.datetime(2026, 12, 1))["community"].to_list() == ["510116003001"]
    with pytest.raises(ValueError, match="phone"):
        log.append("download", phone="13812345678")  # only the schema's fields are ever written


def test_the_rules_are_read_from_the_users_file(tmp_path):
    users = tmp_path / "users.yaml"
    users.write_text("users: {}\nsecurity:\n  lock_after: 3\n  idle_minutes: 5\n", encoding="utf-8")
    assert load_security(users) == Security(lock_after=3, idle_minutes=5.0)
    users.write_text("users: {}\nsecurity:\n  lock_afer: 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lock_afer"):
        load_security(users)
    assert load_security() == Security()  # the shipped file keeps the defaults


def test_gridpulse_audit_prints_one_users_events_since_a_day(tmp_path, capsys):
    log = AuditLog(tmp_path)
    log.append("sign_in", now=dt.datetime(2026, 11, 2, 8), user="leader", role="leader", client="local")
    log.append("download", now=dt.datetime(2026, 12, 2, 8), user="leader", role="leader", client="local",
               page="事件处置", table="超期未结案_2025-12.xlsx", rows=7)
    log.append("sign_in", now=dt.datetime(2026, 12, 2, 9), user="data", role="data", client="local")
    main(["--data", str(tmp_path), "audit", "--user", "leader", "--since", "2026-12-01", "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [{"time": "2026-12-02T08:00:00", "event": "download", "user": "leader", "role": "leader",
                      "client": "local", "page": "事件处置", "table": "超期未结案_2025-12.xlsx", "rows": 7}]
    main(["--data", str(tmp_path), "audit", "--since", "2026-11-01", "--until", "2026-12-01"])
    out = capsys.readouterr().out
    assert "登录成功" in out and "街道领导" in out and "共 1 条" in out
    with pytest.raises(SystemExit, match="格式不对"):
        main(["--data", str(tmp_path), "audit", "--since", "12/01/2026"])


def _app(tmp_path, monkeypatch, security: str) -> AppTest:
    users = tmp_path / "users.yaml"
    users.write_text(yaml_users() + security, encoding="utf-8")
    monkeypatch.setenv("GRIDPULSE_USERS", str(users))
    monkeypatch.setenv("GRIDPULSE_DATA", str(tmp_path / "data"))
    return AppTest.from_file(APP, default_timeout=60).run()


def yaml_users() -> str:
    return (ROOT / "dashboards" / "users.yaml").read_text(encoding="utf-8")


def _try(app: AppTest, password: str) -> AppTest:
    app.text_input[0].input("leader")
    app.text_input[1].input(password)
    return app.button[0].click().run()


def test_the_sign_in_form_says_how_long_a_lock_lasts(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch, "security:\n  delay_seconds: 0\n  lock_after: 5\n  lock_minutes: 10\n")
    for _ in range(5):
        assert [e.value for e in _try(app, "wrong").error] == ["用户名或密码错误。"]
    assert [e.value for e in _try(app, "huayang-leader").error] == ["登录失败次数过多，该账号已临时锁定，请 10 分钟后再试。"]
    assert not app.metric  # still signed out
    events = AuditLog(tmp_path / "data").read()["event"].to_list()
    assert events == ["sign_in_failed"] * 5 + ["sign_in_refused"]


def test_an_idle_session_is_signed_out(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch, "security:\n  idle_minutes: 0.02\n")  # 1.2 s
    _try(app, "huayang-leader")
    assert not app.error and "user" in app.session_state
    time.sleep(1.5)
    app.run()
    assert "user" not in app.session_state
    assert [i.value for i in app.info] == ["超过 0.02 分钟未操作，已自动退出，请重新登录。"]
    events = AuditLog(tmp_path / "data").read()["event"].to_list()
    assert events[0] == "sign_in" and events[-1] == "session_expired"


def test_data_staff_read_the_audit_log_on_its_page_and_others_do_not_get_it(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch, "")
    _try(app, "wrong")
    app.text_input[0].input("data")
    app.text_input[1].input("huayang-data")
    app.button[0].click().run()
    app.switch_page("app_pages/audit_log.py").run()
    assert not app.exception and app.title[0].value == "访问审计"
    table = app.dataframe[0].value
    assert list(table["事件"]) == ["访问页面", "访问页面", "登录成功", "登录失败"]  # newest first
    assert list(table["用户"])[-2:] == ["data", "leader"] and list(table["页面"])[:2] == ["访问审计", "总览"]
    app.sidebar.button[0].click().run()  # sign out, then as a street leader the page is not offered
    _try(app, "huayang-leader")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("app_pages/audit_log.py")
