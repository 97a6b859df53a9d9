"""Item pipelines, one concern each: validate, dedup, images, write."""
