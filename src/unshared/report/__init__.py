"""The report: a read-only snapshot of the case (``data``), a pure model (``build``, ``model``),
HTML/PDF (``render``), CASE/UCO JSON-LD (``jsonld``), the pack and the evidence bundle, and platform
report drafts. Reached from the shells through :mod:`unshared.usecases.report`."""

__all__ = ["build", "bundle", "data", "jsonld", "model", "pack", "platforms", "render", "timeline"]
