"""Creating local accounts: validation, password hashing, key pairs, and the instance actor."""

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.keys import generate_rsa_keypair
from storage.models import Account, User
from storage.repositories import accounts as account_repo

from .errors import ConfigError, ValidationError
from .settings import Settings
from .urls import Urls

# Mastodon's rule: letters, digits and underscores; 30 characters at most.
USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,30}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RESERVED_USERNAMES = {"actor", "admin", "api", "inbox", "about", "static", "users", "oauth", "well_known"}
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def validate_new_user(settings: Settings, username: str, email: str, password: str) -> None:
    if not USERNAME_RE.match(username):
        raise ValidationError(
            f"invalid username {username!r}: use 1-30 letters, digits or underscores"
        )
    if username.lower() in RESERVED_USERNAMES or username.lower() == settings.host.lower():
        raise ValidationError(f"the username {username!r} is reserved")
    if not EMAIL_RE.match(email):
        raise ValidationError(f"invalid email address {email!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


async def create_local_user(
    session: AsyncSession,
    settings: Settings,
    *,
    username: str,
    email: str,
    password: str,
    admin: bool = False,
    approved: bool = True,
) -> tuple[User, Account]:
    """Create an account and its user in the caller's transaction; raises before writing on bad input."""
    validate_new_user(settings, username, email, password)
    if await account_repo.get_account_by_username(session, username) is not None:
        raise ValidationError(f"the username {username!r} is already taken")
    if await account_repo.get_user_by_email(session, email) is not None:
        raise ValidationError(f"the email address {email!r} is already in use")
    private_pem, public_pem = generate_rsa_keypair()
    account = Account(
        username=username,
        domain=None,
        actor_type="Person",
        display_name=username,
        private_key_pem=private_pem,
        public_key_pem=public_pem,
        **Urls(settings).local_actor_uris(username),
    )
    await account_repo.put_account(session, account)
    user = User(
        account_id=account.id,
        email=email.lower(),
        password_hash=hash_password(password),
        admin=admin,
        approved=approved,
    )
    await account_repo.put_user(session, user)
    return user, account


async def ensure_instance_actor(session: AsyncSession, settings: Settings) -> Account:
    """The node's own Application actor, which signs every outgoing GET; made once."""
    actor = await account_repo.get_instance_actor(session)
    expected_uri = Urls(settings).instance_actor_uris()["actor_uri"]
    if actor is not None and actor.actor_uri != expected_uri:
        # Every stored IRI names the node's public host, and peers know it by that host: a
        # database cannot change hands to another domain, so a mismatched setting is refused
        # before anything is written under the wrong name.
        base = actor.actor_uri.removesuffix("/actor")
        raise ConfigError(f"this database belongs to the node at {base}, but MURALIST_SCHEME and "
                          f"MURALIST_DOMAIN give {settings.base_url}; set them to match")
    if actor is not None:
        return actor
    private_pem, public_pem = generate_rsa_keypair()
    actor = Account(
        username=settings.host,
        domain=None,
        actor_type="Application",
        display_name=settings.instance_title,
        note="",
        locked=True,
        discoverable=False,
        indexable=False,
        private_key_pem=private_pem,
        public_key_pem=public_pem,
        **Urls(settings).instance_actor_uris(),
    )
    return await account_repo.put_account(session, actor)
