"""Listening and viewing histories: Spotify, Netflix, YouTube (table `media`)."""
