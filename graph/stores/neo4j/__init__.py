"""The Neo4j store: the graph in a Neo4j server over Bolt (`store.Neo4jStore`)."""
