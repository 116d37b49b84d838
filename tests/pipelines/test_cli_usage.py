"""Mistyped commands are answered in Chinese: argparse's usage errors are said again, the usage line stays."""

from __future__ import annotations

import pytest

from pipelines.cli.commands import main


@pytest.mark.parametrize(("argv", "said"), [
    ([], "gridpulse：缺少参数：命令。用法见 gridpulse -h。"),
    (["bogus"], "gridpulse：参数 命令 的取值 'bogus' 无效，可选：'generate', 'run'"),
    (["status", "--source", "x"],
     "gridpulse status：参数 --source 的取值 'x' 无效，可选：'grids', 'population', 'cases', 'patrols', 'hotline'。"),
    (["backfill", "2025-01"], "gridpulse backfill：缺少参数：end。"),
    (["run", "--zzz"], "gridpulse：无法识别的参数：--zzz。"),
    (["generate", "--seed", "x"], "gridpulse generate：参数 --seed 需要一个数字，收到的是 'x'。"),
    (["audit", "--since"], "gridpulse audit：参数 --since 后面缺少取值。"),
])
def test_usage_errors_are_said_in_chinese(argv, said, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert err.splitlines()[0].startswith("usage: gridpulse")
    assert said in err.splitlines()[-1]
    assert "error:" not in err and "required" not in err and "invalid" not in err
