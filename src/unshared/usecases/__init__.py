"""Use cases: one module per thing a person does, called by the CLI and the app alike.

==================  ==========================================================================
``case``            open or create a case file
``add``             add evidence (files, folders, the app's uploads); ``stream``, ``folders``
``records``         notes and actions (reported to police, account suspended, step done, ...)
``analyse``         identifiers and warning signs, brought up to date before anything shows them
``signs``           review the warning signs in a chosen language (read-only)
``report``          the report, the bundle, platform report drafts (analysis always current)
``fingerprint``     fingerprint media in place; store the fingerprints in a case
``plan``            the guide's plan, recorded in the case with the steps done
``bank``            submit to, withdraw from, and look up in a hash bank; ``bank_admin`` runs one
``exhibits``        read a case back, export an exhibit, verify a case or a bundle
``demo``            the demo case, made by calling the use cases above
``police``          import verified bundles into a force database, offender networks, sharing
==================  ==========================================================================

Each takes plain arguments (an open case, paths, options) and progress callbacks, returns plain
results and raises :class:`~unshared.errors.UnsharedError` subclasses; nothing here prints or
prompts. The modules load what they need when called, so the CLI starts fast.
"""

__all__ = [
    "add",
    "analyse",
    "bank",
    "bank_admin",
    "case",
    "demo",
    "exhibits",
    "fingerprint",
    "folders",
    "plan",
    "records",
    "report",
    "signs",
    "stream",
]
