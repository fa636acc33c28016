"""What a person sees, as pure functions of the graph: the explorer's views (`explore`),
the details panel (`details`), positions (`layout`), the vis-network page (`view`), the
German wording (`text`), file exports (`export`), the one CSV writer (`csv`) and the
sources page's tables (`sources`). Nothing here reads a store's insides."""
