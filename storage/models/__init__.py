"""SQLAlchemy models; every table the node keeps is declared in a module of this package."""

from .accounts import Account, User
from .base import Base

__all__ = ["Account", "Base", "User"]
