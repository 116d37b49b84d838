"""Sign-in with hashed passwords; roles decide pages and scope."""

from streamlit.testing.v1 import AppTest

from dashboards.auth import authenticate, hash_password, load_users
from pipelines.core.settings import ROOT


def test_demo_accounts_sign_in_with_their_documented_passwords():
    leader = authenticate("leader", "huayang-leader")
    community = authenticate("tongjiqiao", "huayang-001")
    data = authenticate("data", "huayang-data")
    assert (leader.role, leader.scope, leader.sees_quality) == ("leader", None, False)
    assert (community.role, community.scope) == ("community", "510116003001")
    assert data.sees_quality and data.scope is None


def test_wrong_password_or_unknown_user_is_refused():
    assert authenticate("leader", "wrong") is None
    assert authenticate("nobody", "huayang-leader") is None


def test_passwords_are_stored_only_as_salted_hashes():
    for entry in load_users().values():
        assert entry["password"].startswith("pbkdf2_sha256$")
        assert "huayang" not in entry["password"]
    assert hash_password("x", "salt") != hash_password("x", "pepper")


def test_a_community_account_without_its_community_is_refused():
    users = {"c": {"role": "community", "password": hash_password("pw")}}
    assert authenticate("c", "pw", users) is None


def test_the_sign_in_form_gates_every_page(demo_run, monkeypatch):
    monkeypatch.setenv("GRIDPULSE_DATA", str(demo_run.paths.data))
    at = AppTest.from_file(str(ROOT / "dashboards" / "streamlit_app.py"), default_timeout=60).run()
    assert not at.metric  # nothing shown before signing in
    at.text_input[0].input("leader")
    at.text_input[1].input("wrong")
    at.button[0].click().run()
    assert "用户名或密码错误" in at.error[0].value
    at.text_input[1].input("huayang-leader")
    at.button[0].click().run()
    assert not at.exception
    assert [m.label for m in at.metric][:2] == ["实有人口", "已巡查网格"]
