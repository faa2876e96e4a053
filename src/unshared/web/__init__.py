"""The local web app (FastAPI + templates), a shell over :mod:`unshared.services`."""
