"""Static assets the app serves itself (no CDN): the graph page."""
