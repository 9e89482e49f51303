"""Settings from the environment and from a TOML file."""

import pytest

from node.errors import ConfigError
from node.settings import load_settings


def test_defaults_follow_the_design_table():
    settings = load_settings({})
    assert settings.domain == "localhost:8080"
    assert settings.scheme == "https"
    assert settings.database_url == "sqlite+aiosqlite:///data/muralist.db"
    assert settings.generator == "procedural"
    assert settings.registrations == "open"
    assert settings.allow_private_addresses is False
    assert settings.base_url == "https://localhost:8080"
    assert settings.host == "localhost"


def test_environment_overrides_the_file(tmp_path):
    config = tmp_path / "node.toml"
    config.write_text('domain = "file.example"\nregistrations = "approval"\nMURALIST_ALLOW_PRIVATE_ADDRESSES = true\n')
    settings = load_settings({"MURALIST_CONFIG": str(config), "MURALIST_DOMAIN": "env.example",
                              "OPENAI_API_KEY": "sk-test"})
    assert settings.domain == "env.example"
    assert settings.registrations == "approval"
    assert settings.allow_private_addresses is True
    assert settings.openai_api_key == "sk-test"


@pytest.mark.parametrize("environ", [
    {"MURALIST_SCHEME": "ftp"},
    {"MURALIST_REGISTRATIONS": "maybe"},
    {"MURALIST_GENERATOR": "crayons"},
    {"MURALIST_BIND": "nowhere"},
    {"MURALIST_ALLOW_PRIVATE_ADDRESSES": "perhaps"},
    {"MURALIST_DOMAIN": "a.example/path"},
])
def test_bad_values_are_refused_with_the_variable_name(environ):
    with pytest.raises(ConfigError) as info:
        load_settings(environ)
    assert next(iter(environ)) in str(info.value)


def test_unknown_key_in_file_is_refused(tmp_path):
    config = tmp_path / "node.toml"
    config.write_text('colour = "blue"\n')
    with pytest.raises(ConfigError, match="colour"):
        load_settings({"MURALIST_CONFIG": str(config)})
