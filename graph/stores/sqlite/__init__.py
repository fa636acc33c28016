"""The embedded store: the graph in one SQLite file (`store.EmbeddedStore`)."""
