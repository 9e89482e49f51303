"""Node settings from environment variables, optionally from a TOML file with the same keys.

The environment wins over the file, so one file can describe a node and a single variable
can still override it (for example `MURALIST_BIND` when running two nodes side by side).
"""

import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from sqlalchemy.engine import make_url

from .errors import ConfigError

REGISTRATION_MODES = ("open", "approval", "closed")
GENERATORS = ("procedural", "openai", "automatic1111", "comfyui", "diffusers")
DOMAIN_BLOCK_AUDIENCES = ("disabled", "users", "all")
RATE_LIMIT_KINDS = ("sign_in_ip", "sign_in_account", "sign_up", "api", "inbox")


@dataclass(frozen=True)
class Settings:
    domain: str = "localhost:8080"
    scheme: str = "https"
    bind: str = "127.0.0.1:8080"
    database_url: str = "sqlite+aiosqlite:///data/muralist.db"
    media_dir: str = "data/media"
    generator: str = "procedural"
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-image-1"
    # The community-run generators (node/generator_config.py): a Stable Diffusion server's URL
    # and auth ("user:password" is HTTP Basic, anything else a bearer token), a checkpoint name,
    # a ComfyUI workflow file in API format, or a local diffusers model folder.
    generator_url: str | None = None
    generator_auth: str | None = None
    generator_model: str | None = None
    generator_timeout: int = 300
    generator_retries: int = 2
    generator_steps: int = 0  # 0: the generator's own default (per model for diffusers)
    generator_guidance: float | None = None  # None: the generator's own default
    generator_strength: float = 0.6  # how far a remix moves from its source, above 0 up to 1
    comfyui_workflow: str | None = None
    diffusion_model_dir: str | None = None
    diffusion_device: str = "auto"  # auto, cpu, cuda, cuda:1, mps
    diffusion_batch: int = 4
    diffusion_idle_seconds: int = 600
    registrations: str = "open"
    allow_private_addresses: bool = False
    run_workers: bool = True
    instance_title: str = "Muralist"
    instance_description: str = "A Muralist node: make images from prompts, remix and share them across the fediverse."
    contact_email: str = ""
    generation_concurrency: int = 2
    generation_rate: str = "30 per hour"
    # Request limits (node/rate_limits.py), Mastodon's figures where it has one.
    rate_limit_sign_in_ip: str = "25 per 5 minutes"
    rate_limit_sign_in_account: str = "25 per hour"
    rate_limit_sign_up: str = "5 per 30 minutes"
    rate_limit_api: str = "300 per 5 minutes"
    # High enough that one busy peer (or bench/inbox.py's thousands of Creates) is not slowed.
    rate_limit_inbox: str = "10000 per 5 minutes"
    trusted_proxies: int = 0
    # Files the admin writes (HTML if named *.html, else plain text) for
    # /api/v1/instance/privacy_policy and /api/v1/instance/terms_of_service.
    privacy_policy_file: str = ""
    terms_of_service_file: str = ""
    # Worker processes `serve` starts beside the web server (-1: one per core beyond the
    # first; 0: the workers run inside the web server's process).
    workers: int = -1
    # Web server processes sharing MURALIST_BIND (-1: one per core).
    web_processes: int = -1
    # The socket `serve` and its worker processes share committed changes on; set by `serve`
    # for the workers it starts (node/local_feed.py), not by hand.
    feed_socket: str | None = None
    feed_hub: bool = True  # false in the extra web servers `serve` starts (they are feed clients)
    # The generation policy (generation/policy.py): refused words, comma-separated, and whether
    # prompts go to the OpenAI-compatible /v1/moderations of OPENAI_BASE_URL first.
    generation_refused_words: str = ""
    generation_moderation: bool = False
    moderation_model: str = "omni-moderation-latest"
    # Who may read /api/v1/instance/domain_blocks: nobody (`disabled`), signed-in `users`, or `all`.
    show_domain_blocks: str = "disabled"
    extra: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.scheme not in ("http", "https"):
            raise ConfigError(f"MURALIST_SCHEME must be http or https, not {self.scheme!r}")
        if self.registrations not in REGISTRATION_MODES:
            raise ConfigError(f"MURALIST_REGISTRATIONS must be one of {', '.join(REGISTRATION_MODES)}")
        if self.show_domain_blocks not in DOMAIN_BLOCK_AUDIENCES:
            raise ConfigError(f"MURALIST_SHOW_DOMAIN_BLOCKS must be one of {', '.join(DOMAIN_BLOCK_AUDIENCES)}")
        if self.generator not in GENERATORS:
            raise ConfigError(f"MURALIST_GENERATOR must be one of {', '.join(GENERATORS)}")
        if not self.domain or "/" in self.domain:
            raise ConfigError(f"MURALIST_DOMAIN must be host[:port], not {self.domain!r}")
        self.bind_host_port()  # validates
        check_database_url(self.database_url)
        if isinstance(self.generation_concurrency, bool) or not 1 <= self.generation_concurrency <= 64:
            raise ConfigError("MURALIST_GENERATION_CONCURRENCY must be a whole number from 1 to 64")
        self.generation_rate_limit  # validates
        self._check_generator_settings()
        for kind in RATE_LIMIT_KINDS:
            self.rate_limit(kind)  # validates
        if isinstance(self.trusted_proxies, bool) or not 0 <= self.trusted_proxies <= 8:
            raise ConfigError("MURALIST_TRUSTED_PROXIES must be a whole number from 0 to 8")
        if isinstance(self.web_processes, bool) or self.web_processes == 0 or not -1 <= self.web_processes <= 64:
            raise ConfigError("MURALIST_WEB_PROCESSES must be a whole number from 1 to 64 (or -1: one per core)")
        if isinstance(self.workers, bool) or not -1 <= self.workers <= 64:
            raise ConfigError("MURALIST_WORKERS must be a whole number from 0 to 64 (or -1: one per core beyond the first)")

    def _check_generator_settings(self) -> None:
        checks = (
            ("MURALIST_GENERATOR_TIMEOUT", self.generator_timeout, 1, 3600),
            ("MURALIST_GENERATOR_RETRIES", self.generator_retries, 0, 10),
            ("MURALIST_GENERATOR_STEPS", self.generator_steps, 0, 500),
            ("MURALIST_DIFFUSION_BATCH", self.diffusion_batch, 1, 64),
            ("MURALIST_DIFFUSION_IDLE_SECONDS", self.diffusion_idle_seconds, 0, 86400),
        )
        for name, value, low, high in checks:
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(f"{name} must be a whole number from {low} to {high}")
        if not 0.0 < self.generator_strength <= 1.0:
            raise ConfigError("MURALIST_GENERATOR_STRENGTH must be above 0 and at most 1, e.g. 0.6")
        if self.generator_guidance is not None and not 0.0 <= self.generator_guidance <= 50.0:
            raise ConfigError("MURALIST_GENERATOR_GUIDANCE must be from 0 to 50")

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.domain}"

    @property
    def host(self) -> str:
        """The domain without a port: the instance actor's name."""
        return self.domain.rsplit(":", 1)[0] if self.domain.count(":") == 1 else self.domain

    def worker_processes(self) -> int:
        """How many worker processes `serve` starts: MURALIST_WORKERS, or one per core beyond
        the one the web server uses."""
        if self.workers >= 0:
            return self.workers
        return max(0, (os.cpu_count() or 1) - 1)

    def web_process_count(self) -> int:
        """How many web servers share MURALIST_BIND: MURALIST_WEB_PROCESSES, or one per core."""
        return self.web_processes if self.web_processes > 0 else max(1, os.cpu_count() or 1)

    def bind_host_port(self) -> tuple[str, int]:
        host, sep, port = self.bind.rpartition(":")
        if not sep or not port.isdigit():
            raise ConfigError(f"MURALIST_BIND must be host:port, not {self.bind!r}")
        return host.strip("[]") or "127.0.0.1", int(port)

    @property
    def generation_rate_limit(self) -> tuple[int, int] | None:
        """`MURALIST_GENERATION_RATE` as (jobs, window seconds): "20 per hour"; "unlimited" is None."""
        return parse_rate(self.generation_rate)

    def rate_limit(self, kind: str) -> tuple[int, int] | None:
        """`MURALIST_RATE_LIMIT_<KIND>` (one of RATE_LIMIT_KINDS) as (requests, window seconds), or None."""
        name = f"rate_limit_{kind}"
        return parse_rate(getattr(self, name), _env_name(name))

    def with_changes(self, **changes) -> "Settings":
        return replace(self, **changes)


# Environment variable names that do not follow MURALIST_<FIELD>.
_ALIASES = {"openai_api_key": "OPENAI_API_KEY", "openai_base_url": "OPENAI_BASE_URL"}


def _env_name(name: str) -> str:
    return _ALIASES.get(name, f"MURALIST_{name.upper()}")


RATE_WINDOWS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(text: str, name: str = "MURALIST_GENERATION_RATE") -> tuple[int, int] | None:
    """"N per hour" (also second, minute, day; "N/hour" too) or "N per M minutes" -> (N, seconds);
    "unlimited" -> None. `name` is the setting a bad value is reported under."""
    words = str(text).strip().lower().replace("/", " per ").split()
    if words == ["unlimited"]:
        return None
    if len(words) == 3:
        words.insert(2, "1")  # "25 per hour" is "25 per 1 hour"
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if (len(words) == 4 and words[0].isdecimal() and words[1] == "per" and words[2].isdecimal()
            and words[3].removesuffix("s") in RATE_WINDOWS and int(words[0]) >= 1 and int(words[2]) >= 1):
        return int(words[0]), int(words[2]) * RATE_WINDOWS[words[3].removesuffix("s")]
    raise ConfigError(f"{name} must look like '20 per hour' or '300 per 5 minutes', or be 'unlimited', not {text!r}")


def _coerce(name: str, raw, kind) -> object:
    if kind is bool or kind == "bool":
        if isinstance(raw, bool):
            return raw
        value = str(raw).strip().lower()
        if value in ("1", "true", "yes", "on"):
            return True
        if value in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{_env_name(name)} must be true or false, not {raw!r}")
    if kind is int or kind == "int":
        try:
            return int(str(raw).strip())
        except ValueError:
            raise ConfigError(f"{_env_name(name)} must be a whole number, not {raw!r}") from None
    if kind in (float, float | None, "float", "float | None"):
        if raw is None or isinstance(raw, float):
            return raw
        try:
            return float(str(raw).strip())
        except ValueError:
            raise ConfigError(f"{_env_name(name)} must be a number, not {raw!r}") from None
    return str(raw)


def load_settings(environ: dict | None = None, **overrides) -> Settings:
    """Settings from MURALIST_CONFIG (a TOML file, optional), then the environment, then overrides."""
    environ = os.environ if environ is None else environ
    values: dict = {}
    config_path = environ.get("MURALIST_CONFIG")
    if config_path:
        values.update(_read_toml(Path(config_path)))
    for item in fields(Settings):
        if item.name == "extra":
            continue
        if _env_name(item.name) in environ:
            values[item.name] = environ[_env_name(item.name)]
    for name, raw in list(values.items()):
        kind = next(f.type for f in fields(Settings) if f.name == name)
        values[name] = _coerce(name, raw, kind)
    values.update(overrides)
    return Settings(**values)


def _read_toml(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    known = {f.name for f in fields(Settings)} - {"extra"}
    values = {}
    for key, raw in data.items():
        name = key.lower().removeprefix("muralist_")
        if name not in known:
            raise ConfigError(f"unknown setting {key!r} in {path}")
        values[name] = raw
    return values


# --- Where the node keeps its data: the database URL (checked here) and the media folder
# (checked by the commands that write images, since checking means touching the disk).

# The drivers Muralist runs on; SQLAlchemy would accept others and fail later, deep in a traceback.
DATABASE_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}
DATABASE_EXAMPLES = "sqlite+aiosqlite:///data/muralist.db or postgresql+asyncpg://user@host/dbname"


def check_database_url(url: str) -> None:
    """Refuse a MURALIST_DATABASE_URL that is not a URL or names a driver Muralist does not run on."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - SQLAlchemy raises ArgumentError or ValueError (a bad port)
        raise ConfigError(f"MURALIST_DATABASE_URL {_hide_password(url)!r} is not a database URL; "
                          f"write it like {DATABASE_EXAMPLES}") from None
    backend, _, driver = parsed.drivername.partition("+")
    backend = "postgresql" if backend == "postgres" else backend  # the name Heroku-style URLs use
    if backend not in DATABASE_DRIVERS:
        raise ConfigError(f"MURALIST_DATABASE_URL names the database kind {parsed.drivername!r}, which "
                          f"Muralist does not support; use {DATABASE_EXAMPLES}")
    wanted = DATABASE_DRIVERS[backend]
    if driver != wanted:
        fixed = parsed.set(drivername=f"{backend}+{wanted}").render_as_string(hide_password=True)
        raise ConfigError(f"MURALIST_DATABASE_URL must use the {wanted} driver for {backend}: "
                          f"write it as {fixed}")


def _hide_password(url: str) -> str:
    return re.sub(r"(://[^/@:]*:)[^/@]*@", r"\1***@", url)


def check_media_dir(path: str) -> None:
    """Create MURALIST_MEDIA_DIR if missing and prove this process can write and read files there."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".muralist-check-") as probe:
            probe.write(b"ok")
            probe.flush()
            with open(probe.name, "rb") as readback:
                readback.read()
        os.listdir(folder)
    except OSError as exc:
        shown = str(folder) if folder.is_absolute() else f"{folder} ({folder.absolute()})"
        reason = "it is a file, not a folder" if folder.is_file() else exc.strerror or str(exc)
        raise ConfigError(f"MURALIST_MEDIA_DIR: cannot keep images in {shown}: {reason}; "
                          f"point it at a folder this user can read and write") from None
