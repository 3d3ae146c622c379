"""WebSocket routes. Live page updates are added here."""

websocket_urlpatterns: list = []
