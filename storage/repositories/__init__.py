"""Repositories: async functions over an AsyncSession, one module per aggregate."""
