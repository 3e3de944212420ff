"""Discord adapters, one cog per course topic. Each is thin: it reads the
options, calls a service from ``bot.services`` and hands the result to
``bot.ui``. Loaded by name from ``bot.client.EXTENSIONS``."""
