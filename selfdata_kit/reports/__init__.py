"""One module per report topic: its sections, key figures and summary."""
