"""kommunetz's graph: the model, the two stores, and everything computed from the graph.

Five layers, each a package; a layer imports only the layers below it (checked by the
import-linter contracts in ``pyproject.toml``; see ``docs/architecture.md``)::

    stores/     the two stores: sqlite/ (EmbeddedStore) and neo4j/ (Neo4jStore); open.py picks one
    joining/    registering with the network: form, workflow, outbox, privacy notice
    questions/  the guided questions, one module each, over the stores' raw reads
    present/    what a person sees: views, details, layout, German wording, exports, CSV
    core/       the model, records, errors, the one write path, caches, the shared rules
"""
