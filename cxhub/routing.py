"""WebSocket routes (cxhub.asgi): the live journey map, for people signed in and for share-link viewers."""

from django.urls import path

from journeys.consumers import MapConsumer

websocket_urlpatterns = [
    path("ws/journeys/<int:journey_id>/", MapConsumer.as_asgi(), name="ws_journey_map"),
]
