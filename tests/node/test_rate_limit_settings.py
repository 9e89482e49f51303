"""MURALIST_RATE_LIMIT_* and MURALIST_TRUSTED_PROXIES: their defaults, their form, their errors."""

import pytest

from node.cli import main
from node.errors import ConfigError
from node.settings import RATE_LIMIT_KINDS, load_settings, parse_rate


def test_defaults_are_mastodons_and_spare_the_inbox_benchmark():
    settings = load_settings({})
    assert settings.rate_limit("sign_in_ip") == (25, 300)
    assert settings.rate_limit("sign_in_account") == (25, 3600)
    assert settings.rate_limit("sign_up") == (5, 1800)
    assert settings.rate_limit("api") == (300, 300)
    # bench/inbox.py sends 2,000 Creates from one address in a few seconds.
    assert settings.rate_limit("inbox") == (10_000, 300)
    assert settings.trusted_proxies == 0


@pytest.mark.parametrize("text, rate", [
    ("3 per minute", (3, 60)),
    ("3/minute", (3, 60)),
    ("25 per 5 minutes", (25, 300)),
    ("10000 per 5 minutes", (10_000, 300)),
    ("  5 PER 30 Minutes ", (5, 1800)),
    ("2 per hours", (2, 3600)),
    ("1 per 2 days", (1, 172_800)),
    ("unlimited", None),
])
def test_rates_read_n_per_m_units(text, rate):
    assert parse_rate(text) == rate


def test_environment_and_file_set_the_limits(tmp_path):
    config = tmp_path / "node.toml"
    config.write_text('rate_limit_api = "1000 per 5 minutes"\nMURALIST_TRUSTED_PROXIES = 1\n')
    settings = load_settings({"MURALIST_CONFIG": str(config), "MURALIST_RATE_LIMIT_INBOX": "unlimited",
                              "MURALIST_RATE_LIMIT_SIGN_UP": "1 per day"})
    assert settings.rate_limit("api") == (1000, 300)
    assert settings.rate_limit("inbox") is None
    assert settings.rate_limit("sign_up") == (1, 86400)
    assert settings.trusted_proxies == 1


@pytest.mark.parametrize("kind", RATE_LIMIT_KINDS)
@pytest.mark.parametrize("value", ["lots", "0 per minute", "5 per fortnight", "5 per 0 minutes", "-1 per hour",
                                   "5 per minute please", "² per hour", ""])
def test_a_bad_limit_names_its_variable(kind, value):
    name = f"MURALIST_RATE_LIMIT_{kind.upper()}"
    with pytest.raises(ConfigError) as info:
        load_settings({name: value})
    assert str(info.value).startswith(f"{name} must look like '20 per hour'")


@pytest.mark.parametrize("value", ["yes", "-1", "9"])
def test_a_bad_proxy_count_is_refused(value):
    with pytest.raises(ConfigError, match="MURALIST_TRUSTED_PROXIES"):
        load_settings({"MURALIST_TRUSTED_PROXIES": value})


def test_the_command_says_which_limit_is_wrong(monkeypatch, capsys):
    monkeypatch.setenv("MURALIST_RATE_LIMIT_API", "300 per fortnight")
    assert main(["migrate"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["muralist: error: MURALIST_RATE_LIMIT_API must look like '20 per hour' or '300 per 5 minutes', "
                   "or be 'unlimited', not '300 per fortnight'"]
