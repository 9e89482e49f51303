"""Who may sign up and sign in, read in one place: MURALIST_REGISTRATIONS's three modes
(`open`: anyone, `approval`: anyone, but a moderator approves before the first sign-in,
`closed`: nobody) and a user's approval. Registration through the client API, the OAuth
grants, the authorize page, the instance documents and NodeInfo all ask here."""

from storage.models import User

from .errors import Forbidden
from .settings import Settings

AWAITING_APPROVAL = "Your login is awaiting approval"


def sign_ups_open(settings: Settings) -> bool:
    return settings.registrations != "closed"


def approval_required(settings: Settings) -> bool:
    return settings.registrations == "approval"


def check_sign_up(settings: Settings) -> None:
    if not sign_ups_open(settings):
        raise Forbidden("Registrations are closed on this server")


def new_user_approved(settings: Settings) -> bool:
    """Whether a new user may sign in at once (not when a moderator must approve)."""
    return not approval_required(settings)


def may_sign_in(user: User) -> bool:
    return bool(user.approved)
