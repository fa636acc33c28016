"""The bottom layer: the graph model (`model`), what loaders hand to stores (`records`),
the errors (`errors`), the one write path (`prepare`, `merge`, `write`), the store
interface (`store`) and what both stores compute the same way (`nxgraph`, `cache`,
`search`, `stats`), and the rules every layer shares: how a node is named (`nodes`) and
who is a member (`membership`)."""
