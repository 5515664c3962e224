"""The run: discover files, parse them in killable workers under Prefect, store records, ledger and manifest."""
