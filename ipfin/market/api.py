"""API of the market app, mounted at `/api/v1/market/`."""

from ninja import Router

router = Router(tags=["market"])
