"""The two stores, one package each — `sqlite` (`EmbeddedStore`, one SQLite file) and
`neo4j` (`Neo4jStore`, a Neo4j server) — and `open`, the only place that decides between
them. Each store package holds its store, its statements, its transactions and its part
of the questions and of the registrations; the two never import each other."""
