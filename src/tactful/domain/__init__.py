"""The pure core: values and rules, no storage, web or mail libraries."""
