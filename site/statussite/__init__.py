"""The deployable Django project: settings, URLs, ASGI entry point."""
