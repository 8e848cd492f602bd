"""The evaluation harness: a public persona set, metrics, a naive RAG baseline and a report."""
