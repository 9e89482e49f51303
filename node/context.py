"""Typed application keys: what every handler can reach from `request.app`."""

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from .committed_changes import CommitListeners
from .settings import Settings
from .urls import Urls

SETTINGS = web.AppKey("settings", Settings)
URLS = web.AppKey("urls", Urls)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONMAKER = web.AppKey("sessionmaker", async_sessionmaker[AsyncSession])
COMMITS = web.AppKey("commits", CommitListeners)
