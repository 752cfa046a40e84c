"""The HTTP layer: FastAPI app over matchmaker's services."""
