"""The local web app (FastAPI + templates), a shell over :mod:`unshared.usecases`."""

__all__ = [
    "app",
    "deps",
    "forms",
    "help",
    "routes_case",
    "routes_guide",
    "routes_protect",
    "routes_report",
    "security",
]
