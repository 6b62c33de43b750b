"""Chat exports (WhatsApp): one `calls` row per message, channel "chat", no text."""
