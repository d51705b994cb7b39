"""A protocol v4 client (asyncio + websockets): used by the app's own node, by attach
mode and by tests, so every side of our code speaks the same wire format."""
