"""The products made from records: diff, compare, exports, rules, check and the review site.

Each is a library function the CLI calls in one line; records come through `records.load`."""
