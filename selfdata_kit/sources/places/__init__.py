"""Location history: Google Takeout (Records.json, Location History.json, Semantic Location
History) and the on-device Google Maps Timeline export (Timeline.json, Android and iOS)."""
