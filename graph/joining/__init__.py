"""Joining the open network: the form (`form`), the registration as stored and the
per-store interface (`registration`), the workflow written once over it (`workflow`),
the outbox for an unreachable store (`outbox`), the privacy notice (`privacy`), the end
to end steps the pages and the CLI call (`service`) and the CSV export (`export`)."""
