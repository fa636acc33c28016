"""The guided questions, one module each: `topic` (who works on a topic), `partners`,
`paths` (how two actors are connected), `shared_topics`, `workshops`, `recommend`
(partner suggestions), `metrics` (the cooperation graph's key figures), and the read-only
Cypher `console`. They share `answer` (what an answer offers), `resolve` (finding what the
user means), `index` and `cooperation` (computed once per data version), and ask the
stores for raw rows through `rows` (the interface) in the terms of `vocabulary`."""
