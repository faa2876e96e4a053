"""One module per export format. A module registers its importers with
:func:`unshared.importers.base.register` and is listed in :data:`unshared.importers.base.BUILTIN`."""

__all__ = [
    "discord",
    "discord_html",
    "discord_package",
    "google_chat",
    "meta",
    "meta_dyi",
    "meta_html",
    "plaintext",
    "screenshot",
    "signal",
    "skype",
    "skype_markup",
    "snapchat",
    "telegram",
    "telegram_html",
    "whatsapp",
    "whatsapp_header",
    "whatsapp_lang",
]
