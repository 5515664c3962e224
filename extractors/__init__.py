"""Plain-Python core: ingestion, normalisation, outline and field extractors. Never imports Prefect."""
