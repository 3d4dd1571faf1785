"""WebSocket routes (cxhub.asgi): the live journey map, for people signed in and for share-link viewers."""

from django.urls import path

from journeys.consumers import MapConsumer, ShareMapConsumer

websocket_urlpatterns = [
    path("ws/journeys/<int:journey_id>/", MapConsumer.as_asgi(), name="ws_journey_map"),
    path("ws/share/<str:token>/", ShareMapConsumer.as_asgi(), name="ws_shared_map"),
]
