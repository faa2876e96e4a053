"""One module per export format. A module registers its importers with
:func:`unshared.importers.base.register` and is listed in :data:`unshared.importers.base.BUILTIN`."""
